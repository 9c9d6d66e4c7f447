// Package i18n holds Blason's French and English texts and picks the
// reader's language. Every sentence a person reads (pages, the verification
// report, the command line) has a key here with both languages side by
// side, so a key can never lack one of them.
package i18n

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Lang is a supported language.
type Lang string

const (
	EN Lang = "en"
	FR Lang = "fr"
)

// Supported lists the languages, English first (the fallback).
var Supported = []Lang{EN, FR}

// Parse returns the supported language s names ("fr", "fr-FR", "FR",
// "fr_FR.UTF-8"), and false for anything else.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_.@"); i >= 0 {
		s = s[:i]
	}
	for _, l := range Supported {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.French})

// Negotiate picks the reader's language: an explicit choice (?lang=), then
// the language switch's cookie, then the browser's Accept-Language, then
// def. Each source that names no supported language is skipped.
func Negotiate(query, cookie, acceptLanguage string, def Lang) Lang {
	for _, s := range []string{query, cookie} {
		if l, ok := Parse(s); ok {
			return l
		}
	}
	if acceptLanguage != "" {
		if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return Supported[i]
			}
		}
	}
	if _, ok := Parse(string(def)); ok {
		return def
	}
	return EN
}

// FromEnv picks the command line's language from LC_ALL, LC_MESSAGES and
// LANG, as POSIX orders them; English when none names a supported one.
func FromEnv(getenv func(string) string) Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			if l, ok := Parse(s); ok {
				return l
			}
			return EN // the first variable set decides (POSIX)
		}
	}
	return EN
}

// T returns the text of key in lang, formatted with args (fmt verbs) when
// there are any. An unknown key returns the key itself, which tests forbid
// (see TestTemplatesUseKnownKeys).
func T(lang Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == FR {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key has texts.
func Has(key string) bool { _, ok := messages[key]; return ok }

// Keys returns every key (for tests).
func Keys() []string {
	out := make([]string, 0, len(messages))
	for k := range messages {
		out = append(out, k)
	}
	return out
}

var months = map[Lang][12]string{
	EN: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	FR: {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// Date writes a day as a person reads it: "30 November 2026", "1er décembre 2026".
func Date(lang Lang, t time.Time) string {
	d := fmt.Sprint(t.Day())
	if lang == FR && t.Day() == 1 {
		d = "1er"
	}
	return fmt.Sprintf("%s %s %d", d, months[lang][t.Month()-1], t.Year())
}

// DateTime writes a moment with its time of day in UTC, which is what a
// credential states: "30 November 2026, 14:05 UTC", "30 novembre 2026 à 14:05 UTC".
func DateTime(lang Lang, t time.Time) string {
	t = t.UTC()
	if lang == FR {
		return fmt.Sprintf("%s à %s UTC", Date(lang, t), t.Format("15:04"))
	}
	return fmt.Sprintf("%s, %s UTC", Date(lang, t), t.Format("15:04"))
}

// Catalog returns every key's text in lang (a copy).
func Catalog(lang Lang) map[string]string {
	out := make(map[string]string, len(messages))
	for k := range messages {
		out[k] = T(lang, k)
	}
	return out
}
