package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/termsafe"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
)

// wsState is what the workspace commands work on.
type wsState struct {
	svc      *issuer.Service
	store    *workspacedb.Store
	ws       *workspace.Service
	issuerID string
	close    func()
}

// wsFlags are the flags shared by the workspace commands.
type wsFlags struct {
	state      stateFlags
	publicURL  *string
	issuerName *string
}

func addWSFlags(fs interface {
	String(name, value, usage string) *string
}) wsFlags {
	return wsFlags{
		state:      addStateFlags(fs),
		publicURL:  fs.String("public-url", envOr("PUBLIC_URL", ""), "the public URL of the 'blason serve' of this data directory: badges name their status lists, images and claim links under it (default http://127.0.0.1:8080, serve's default) (BLASON_PUBLIC_URL)"),
		issuerName: fs.String("issuer-name", envOr("ISSUER_NAME", "Blason demo issuer"), "the issuer's name if the data directory has no issuer yet (BLASON_ISSUER_NAME)"),
	}
}

// openWS opens the issuer's state and workspace, creating the issuer as
// 'blason serve' would on first run.
func openWS(ctx context.Context, f wsFlags) (*wsState, error) {
	state, err := openState(ctx, f.state)
	if err != nil {
		return nil, err
	}
	svc := state.Issuer
	store, err := workspaceOn(ctx, state.DB, svc)
	if err != nil {
		state.Close()
		return nil, err
	}
	st := &wsState{svc: svc, store: store, close: state.Close}
	rec, err := ensureIssuer(ctx, svc, state.Issuers, "", "", *f.issuerName, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		st.close()
		return nil, err
	}
	st.issuerID = rec.ID
	base := strings.TrimSuffix(*f.publicURL, "/")
	if base == "" {
		base = "http://127.0.0.1:8080"
		if strings.HasPrefix(rec.ID, "did:web:") {
			base = defaultBaseURL(rec.ID, nil)
		}
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		st.close()
		return nil, fmt.Errorf("--public-url must be an absolute http(s) URL such as https://badges.example.org, got %q", *f.publicURL)
	}
	svc.BaseURL = base
	svc.Preflight = localPreflight(svc, rec.ID)
	st.ws = &workspace.Service{Store: store, Issuer: svc, BaseURL: base}
	return st, nil
}

// achievementAdd implements 'blason achievement add': the new
// achievement's id is the last line of the output, for scripts.
func achievementAdd(e env, args []string) int {
	fs := newFlags(e, "achievement add")
	wf := addWSFlags(fs)
	file := fs.String("file", "", "JSON file: an Open Badges 3.0 Achievement, or an Open Badges 2.0 BadgeClass (e.g. exported from Open Badge Factory)")
	lang := fs.String("lang", "", "language of the texts, fr or en (default: the file's inLanguage, else en)")
	variantOf := fs.String("variant-of", "", "this is the same achievement as ID in another language (OB 3.0 related)")
	image := fs.String("image", "", "PNG, JPEG or SVG image of the badge")
	fromURL := fs.String("url", "", "instead of --file: the https address of an Open Badges 2.0 badge class (or OB 3.0 achievement) to import; its image is downloaded too")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if (*file == "") == (*fromURL == "") || fs.NArg() > 0 {
		return fail(e, "usage: blason achievement add --data DIR (--file ACH.json | --url URL) [--lang fr|en] [--variant-of ID] [--image FILE]")
	}
	// Badge classes and their images are fetched through the hardened
	// client: https, public addresses, bounded sizes.
	client := fetch.New(fetch.Options{})
	get := func(ctx context.Context, u string) ([]byte, error) {
		r, err := client.Get(ctx, u, "application/json", "application/ld+json", "image/png", "image/svg+xml", "image/jpeg", "*/*;q=0.1")
		if err != nil {
			return nil, err
		}
		return r.Body, nil
	}
	var raw []byte
	var err error
	if *fromURL != "" {
		raw, err = get(e.ctx, *fromURL)
	} else {
		raw, err = readFile(e, *file, limits.AchievementFileBytes+workspace.MaxImageBytes*2)
	}
	if err != nil {
		return failErr(e, "achievement add", err)
	}
	var img []byte
	if *image != "" {
		if img, err = readFile(e, *image, workspace.MaxImageBytes+1); err != nil {
			return failErr(e, "achievement add: --image", err)
		}
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "achievement add", err)
	}
	defer st.close()
	a, err := st.ws.ImportJSON(e.ctx, st.issuerID, raw, workspace.ImportOptions{Lang: *lang, VariantOf: *variantOf, Image: img, Fetch: get}, cliActor())
	if err != nil {
		return failErr(e, "achievement add", err)
	}
	fmt.Fprintf(e.stdout, "Added %q (%s) to the catalogue of %s.\n%s\n", termsafe.String(a.Name), termsafe.String(a.Lang), termsafe.String(st.issuerID), termsafe.String(a.ID))
	return exitOK
}

// achievementList implements 'blason achievement list'.
func achievementList(e env, args []string) int {
	fs := newFlags(e, "achievement list")
	wf := addWSFlags(fs)
	archived := fs.Bool("archived", false, "list the archived achievements")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "achievement list", err)
	}
	defer st.close()
	list, err := st.store.ListAchievements(e.ctx, st.issuerID, *archived)
	if err != nil {
		return failErr(e, "achievement list", err)
	}
	for _, a := range list {
		fmt.Fprintf(e.stdout, "%s  %s  %s\n", termsafe.String(a.ID), termsafe.String(a.Lang), termsafe.String(a.Name))
	}
	return exitOK
}

// awardCmd implements 'blason award': a badge for every row of a CSV.
func awardCmd(e env, args []string) int {
	fs := newFlags(e, "award")
	wf := addWSFlags(fs)
	achID := fs.String("achievement", "", "the achievement's id (from 'blason achievement add' or 'achievement list')")
	csvPath := fs.String("csv", "", "the spreadsheet saved as CSV: one row per person, an e-mail column, optionally name, narrative, evidence, result, language (French or English column names; ',' or ';'; UTF-8 or Windows-1252)")
	dryRun := fs.Bool("dry-run", false, "check every row and say what would be awarded; award nothing")
	skipInvalid := fs.Bool("skip-invalid", false, "award the valid rows even if others have problems (listed)")
	lang := fs.String("lang", "", "language of the e-mails for rows without one: fr or en (default: the achievement's)")
	email := fs.String("recipient-email", "", "instead of --csv: award one person, by e-mail address")
	name := fs.String("name", "", "with --recipient-email: the person's name (for the e-mail)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	// The report's language: the terminal's (LC_ALL, LC_MESSAGES, LANG).
	l, _ := cliLang("")
	if *achID == "" || (*csvPath == "") == (*email == "") || fs.NArg() > 0 {
		return fail(e, "usage: blason award --data DIR --achievement ID (--csv FILE [--dry-run] [--skip-invalid] | --recipient-email ADDR [--name NAME])")
	}
	if *lang != "" && *lang != "fr" && *lang != "en" {
		return fail(e, "award: --lang must be fr or en, not %q", *lang)
	}
	var raw []byte
	var err error
	if *email != "" {
		// One person: written as a one-row sheet, so that the same rules
		// (address checks, nobody twice) apply.
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write([]string{"name", "email"})
		w.Write([]string{*name, *email})
		w.Flush()
		raw, *csvPath = b.Bytes(), "recipient"
	} else if raw, err = readFile(e, *csvPath, awardcsv.MaxBytes+1); err != nil {
		return failErr(e, "award", err)
	}
	sheet, err := awardcsv.Parse(bytes.NewReader(raw))
	if err != nil {
		return failErr(e, "award: "+*csvPath, err)
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "award", err)
	}
	defer st.close()
	bar := newProgressBar(e.stderr)
	opt := workspace.AwardOptions{AchievementID: *achID, Source: "csv:" + filepath.Base(*csvPath), DryRun: *dryRun, SkipInvalid: *skipInvalid,
		Lang: *lang, Actor: cliActor(), Progress: bar.set}
	rep, err := st.ws.AwardSheet(e.ctx, st.issuerID, sheet, opt)
	bar.done()
	if rep != nil {
		fmt.Fprintln(e.stdout, i18n.T(l, "cli.award.read", termsafe.String(filepath.Base(*csvPath)), rep.Rows, sheet.Encoding, string(sheet.Separator)))
		for _, p := range rep.Problems {
			fmt.Fprintln(e.stdout, "  "+termsafe.String(i18n.T(l, "csv.line", p.Line, i18n.T(l, "csv.field."+p.Field), workspace.ProblemText(l, p))))
		}
		if len(rep.Already) > 0 {
			fmt.Fprintln(e.stdout, i18n.T(l, "cli.award.already", len(rep.Already), lineList(rep.Already)))
		}
	}
	switch {
	case errors.Is(err, workspace.ErrRowsInvalid):
		fmt.Fprintln(e.stdout, i18n.T(l, "cli.award.invalid", problemLines(rep)))
		return exitNotVerified
	case err != nil:
		return failErr(e, "award", err)
	case rep.DryRun:
		fmt.Fprintln(e.stdout, i18n.T(l, "cli.award.dry-run", rep.ToAward, problemLines(rep)))
	default:
		fmt.Fprintln(e.stdout, i18n.T(l, "cli.award.done", len(rep.Awarded), problemLines(rep), len(rep.Awarded)))
	}
	return exitOK
}

func problemLines(rep *workspace.AwardReport) int {
	seen := map[int]bool{}
	for _, p := range rep.Problems {
		seen[p.Line] = true
	}
	return len(seen)
}

func lineList(lines []int) string {
	var parts []string
	for i, l := range lines {
		if i == 20 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, strconv.Itoa(l))
	}
	return strings.Join(parts, ", ")
}

// progressBar draws "[#####.....] 4000/10000" on one terminal line. It
// draws only on a terminal (in a log file or a pipe, ten thousand carriage
// returns would be noise), and redraws only when the percentage moves.
type progressBar struct {
	w     io.Writer
	drawn bool
	last  int
}

func newProgressBar(w io.Writer) *progressBar {
	if !isTerminal(w) {
		w = nil
	}
	return &progressBar{w: w, last: -1}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) set(done, total int) {
	if b.w == nil || total <= 0 {
		return
	}
	if pct := done * 100 / total; pct != b.last || done == total {
		b.last = pct
		const width = 30
		n := done * width / total
		fmt.Fprintf(b.w, "\r[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
		b.drawn = true
	}
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}

// endorseCmd implements 'blason endorse': an EndorsementCredential about
// another issuer's achievement or profile, printed (and recorded).
func endorseCmd(e env, args []string) int {
	fs := newFlags(e, "endorse")
	wf := addWSFlags(fs)
	subject := fs.String("subject", "", "the id of the endorsed achievement or issuer profile")
	comment := fs.String("comment", "", "what you say about it")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *subject == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason endorse --data DIR --subject ID [--comment TEXT]")
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "endorse", err)
	}
	defer st.close()
	signed, err := st.ws.Endorse(e.ctx, st.issuerID, workspace.Endorsement{SubjectID: *subject, Comment: *comment}, cliActor())
	if err != nil {
		return failErr(e, "endorse", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, signed, "", "  "); err != nil {
		return failErr(e, "endorse", err)
	}
	return writeResult(e, out.Bytes(), true)
}

// memberSet implements 'blason member set': a role in the issuer's
// workspace for the account with an e-mail address (--role none removes it).
func memberSet(e env, args []string) int {
	fs := newFlags(e, "member set")
	wf := addWSFlags(fs)
	email := fs.String("email", "", "the e-mail address of the person's account")
	role := fs.String("role", "", "admin, issuer or viewer; none removes the person")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *email == "" || *role == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason member set --data DIR --email ADDR --role admin|issuer|viewer|none")
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "member set", err)
	}
	defer st.close()
	r := *role
	if r == "none" {
		r = ""
	}
	if err := st.ws.SetMember(e.ctx, st.issuerID, *email, r, cliActor()); err != nil {
		return failErr(e, "member set", err)
	}
	return memberList(e, args)
}

// memberList implements 'blason member list'.
func memberList(e env, args []string) int {
	fs := newFlags(e, "member list")
	wf := addWSFlags(fs)
	fs.String("email", "", "")
	fs.String("role", "", "")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "member list", err)
	}
	defer st.close()
	ms, err := st.store.Members(e.ctx, st.issuerID)
	if err != nil {
		return failErr(e, "member list", err)
	}
	for _, m := range ms {
		fmt.Fprintf(e.stdout, "%s  %s\n", m.Role, termsafe.String(m.Email))
	}
	return exitOK
}

// achievementArchive implements 'blason achievement archive ID [--undo]'.
func achievementArchive(e env, args []string) int {
	fs := newFlags(e, "achievement archive")
	wf := addWSFlags(fs)
	undo := fs.Bool("undo", false, "bring an archived achievement back")
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if id == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason achievement archive ID [--undo] [--data DIR]")
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "achievement archive", err)
	}
	defer st.close()
	a, err := st.ws.Achievement(e.ctx, st.issuerID, id)
	if err != nil {
		return failErr(e, "achievement archive", err)
	}
	if err := st.ws.Archive(e.ctx, st.issuerID, a.ID, !*undo, cliActor()); err != nil {
		return failErr(e, "achievement archive", err)
	}
	return exitOK
}

// awardsCmd implements 'blason awards': search the awards, as a table or
// as CSV (--csv, for a spreadsheet).
func awardsCmd(e env, args []string) int {
	fs := newFlags(e, "awards")
	wf := addWSFlags(fs)
	recipient := fs.String("recipient", "", "part of the recipient's name or e-mail address")
	ach := fs.String("achievement", "", "an achievement id")
	asCSV := fs.Bool("csv", false, "print CSV (UTF-8 with a BOM) instead of a table")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	st, err := openWS(e.ctx, wf)
	if err != nil {
		return failErr(e, "awards", err)
	}
	defer st.close()
	q := workspace.AwardQuery{IssuerID: st.issuerID, Recipient: *recipient, AchievementID: strings.TrimPrefix(*ach, "urn:uuid:")}
	if *asCSV {
		if err := workspace.ExportCSV(e.ctx, st.ws, q, e.stdout); err != nil {
			return failErr(e, "awards", err)
		}
		return exitOK
	}
	q.Limit = 1000
	list, total, err := st.store.SearchAwards(e.ctx, q)
	if err != nil {
		return failErr(e, "awards", err)
	}
	for _, r := range list {
		status := ""
		if cr, err := st.svc.Store.GetCredential(e.ctx, r.CredentialID); err == nil {
			status = cr.Status
		}
		fmt.Fprintf(e.stdout, "%s  %s  %s  %s  %s\n", r.CreatedAt.UTC().Format("2006-01-02"), status, termsafe.String(r.CredentialID), termsafe.String(r.Email), termsafe.String(r.Name))
	}
	if total > len(list) {
		fmt.Fprintf(e.stdout, "(%d of %d; use --csv for all)\n", len(list), total)
	}
	return exitOK
}
