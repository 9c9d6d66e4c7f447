package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/issuer"
)

// ErrRowsInvalid: some rows have problems and SkipInvalid was not asked
// for; nothing was awarded.
var ErrRowsInvalid = errors.New("some rows cannot be awarded; nothing was awarded (fix them, or skip them)")

// AwardOptions say how rows are awarded.
type AwardOptions struct {
	AchievementID string
	// Source names where the rows came from ("csv:workshop.csv", "single").
	Source string
	// DryRun checks everything and awards nothing.
	DryRun bool
	// SkipInvalid awards the valid rows when others have problems;
	// without it, one problem awards nothing.
	SkipInvalid bool
	// Lang is the e-mails' language for rows that do not name one;
	// empty means the achievement's.
	Lang  string
	Actor string
	// Progress, if set, is called after each batch with the rows done and
	// the rows to do.
	Progress func(done, total int)
}

// AwardReport says what an import did (or, for a dry run, would do).
type AwardReport struct {
	Rows     int                // data rows read
	Problems []awardcsv.Problem // every problem, by line
	// Already lists the lines of recipients awarded this achievement
	// before (by an earlier import): skipped, never awarded twice.
	Already []int
	// ToAward is the number of rows awarded (or, in a dry run, that would be).
	ToAward int
	// Awarded lists the credentials issued, in row order.
	Awarded []*AwardRecord
	DryRun  bool
}

// AwardSheet awards the achievement to every valid row of a parsed CSV
// (see AwardRows).
func (s *Service) AwardSheet(ctx context.Context, issuerID string, sheet *awardcsv.Sheet, opt AwardOptions) (*AwardReport, error) {
	rep, err := s.AwardRows(ctx, issuerID, sheet.Rows, sheet.Problems, opt)
	if rep != nil {
		rep.Rows = sheet.DataRows
	}
	return rep, err
}

// AwardRows awards an achievement to rows, each with a claim link sent by
// e-mail through the outbox. problems are the rows' problems found so
// far (by the parser); the achievement's own rules (results) are added.
//
// Nothing is half-awarded: with problems and without SkipInvalid nothing
// is awarded (ErrRowsInvalid, with the report). Awarding is idempotent: a
// recipient already awarded this achievement (same e-mail address) is
// skipped, even when an earlier import was interrupted midway: each row
// is first recorded as pending with the id its credential will have, and
// a later import completes what the issuer store holds and awards the
// rest.
func (s *Service) AwardRows(ctx context.Context, issuerID string, rows []awardcsv.Row, problems []awardcsv.Problem, opt AwardOptions) (*AwardReport, error) {
	ach, err := s.Achievement(ctx, issuerID, opt.AchievementID)
	if err != nil {
		return nil, err
	}
	if ach.Archived {
		return nil, fmt.Errorf("%s: %w", ach.Name, errArchived)
	}
	rep := &AwardReport{Rows: len(rows), DryRun: opt.DryRun, Problems: append([]awardcsv.Problem(nil), problems...)}
	bad := map[int]bool{}
	for _, p := range problems {
		bad[p.Line] = true
	}
	results := resultDescription(ach)
	for _, r := range rows {
		if r.Result == "" {
			continue
		}
		switch {
		case results == nil:
			rep.Problems = append(rep.Problems, awardcsv.Problem{Line: r.Line, Field: awardcsv.FieldResult, Code: "result.none", Value: r.Result,
				Message: "this achievement has no result description, so a row cannot give a result"})
			bad[r.Line] = true
		case len(results.AllowedValues) > 0 && !slices.Contains(results.AllowedValues, r.Result):
			rep.Problems = append(rep.Problems, awardcsv.Problem{Line: r.Line, Field: awardcsv.FieldResult, Code: "result.value", Value: r.Result,
				Message: fmt.Sprintf("%q is not one of %s", r.Result, strings.Join(results.AllowedValues, ", "))})
			bad[r.Line] = true
		}
	}
	slices.SortStableFunc(rep.Problems, func(a, b awardcsv.Problem) int { return a.Line - b.Line })
	var good []awardcsv.Row
	for _, r := range rows {
		if !bad[r.Line] && r.Key != "" {
			good = append(good, r)
		}
	}
	if len(rep.Problems) > 0 && !opt.SkipInvalid {
		return rep, ErrRowsInvalid
	}
	if !opt.DryRun {
		if err := s.resume(ctx, ach); err != nil {
			return rep, err
		}
	}
	keys := make([]string, len(good))
	for i, r := range good {
		keys[i] = r.Key
	}
	done, err := s.Store.AwardsByKey(ctx, ach.ID, keys)
	if err != nil {
		return rep, err
	}
	var todo []awardcsv.Row
	for _, r := range good {
		if _, ok := done[r.Key]; ok {
			rep.Already = append(rep.Already, r.Line)
			continue
		}
		todo = append(todo, r)
	}
	rep.ToAward = len(todo)
	if opt.DryRun || len(todo) == 0 {
		return rep, nil
	}
	// The achievement in each language needed, built once.
	ob3 := map[string]map[string]any{}
	variant := map[string]*Achievement{}
	for _, r := range todo {
		l := r.Lang
		if l == "" {
			l = opt.Lang
		}
		if _, ok := ob3[l]; ok {
			continue
		}
		v, err := s.Variant(ctx, ach, l)
		if err != nil {
			return rep, err
		}
		m, err := s.OB3(ctx, v)
		if err != nil {
			return rep, err
		}
		ob3[l], variant[l] = m, v
	}
	is, err := s.Issuer.Issuer(ctx, issuerID)
	if err != nil {
		return rep, err
	}
	for start := 0; start < len(todo); start += issuer.MaxBatch {
		batch := todo[start:min(start+issuer.MaxBatch, len(todo))]
		recs := make([]*AwardRecord, len(batch))
		awards := make([]issuer.Award, len(batch))
		now := s.now()
		for i, r := range batch {
			l := r.Lang
			if l == "" {
				l = opt.Lang
			}
			recs[i] = &AwardRecord{CredentialID: "urn:uuid:" + newID(), IssuerID: issuerID, AchievementID: ach.ID, RowKey: r.Key,
				Name: r.Name, Email: r.Email, Lang: variant[l].Lang, State: AwardPending, Source: opt.Source, Line: r.Line, CreatedAt: now}
			awards[i] = issuer.Award{ID: recs[i].CredentialID, Achievement: ob3[l], Recipient: issuer.Recipient{Email: r.Email},
				Narrative: r.Narrative}
			if r.EvidenceURL != "" {
				awards[i].Evidence = []map[string]any{{"id": r.EvidenceURL, "type": []any{"Evidence"}}}
			}
			if r.Result != "" {
				awards[i].Results = []map[string]any{{"type": []any{"Result"}, "resultDescription": results.ID, "value": r.Result}}
			}
		}
		// 1. Recorded as pending, with their credential ids: an import
		// that dies after this point is completed by the next one.
		if err := s.Store.AddPending(ctx, recs); err != nil {
			return rep, err
		}
		// 2. Signed and recorded by the issuer, one transaction per batch.
		if _, err := s.Issuer.AwardMany(ctx, issuerID, awards, nil); err != nil {
			// Nothing of this batch was issued (a batch is all or nothing).
			_ = s.Store.DropPending(ctx, ids(recs))
			return rep, fmt.Errorf("%d awarded; then: %w", len(rep.Awarded), err)
		}
		// 3. Issued, with claim links and their e-mails queued.
		if err := s.complete(ctx, is.Profile.Name, variant, recs); err != nil {
			return rep, err
		}
		rep.Awarded = append(rep.Awarded, recs...)
		if opt.Progress != nil {
			opt.Progress(len(rep.Awarded), len(todo))
		}
	}
	return rep, s.audit(ctx, issuerID, opt.Actor, "award.batch", ach.ID,
		fmt.Sprintf("%s: %d awarded, %d already, %d skipped", opt.Source, len(rep.Awarded), len(rep.Already), len(rep.Problems)))
}

func ids(recs []*AwardRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.CredentialID
	}
	return out
}

// resultDescription is the achievement's first result description, which
// a CSV's result column fills.
func resultDescription(a *Achievement) *ResultDescription {
	if len(a.Results) == 0 {
		return nil
	}
	return &a.Results[0]
}

// resume settles the awards an interrupted import left pending: those
// the issuer recorded are completed (claim link, e-mail), the others are
// forgotten (they will be awarded again from the file).
func (s *Service) resume(ctx context.Context, ach *Achievement) error {
	pending, err := s.Store.Pending(ctx, ach.ID)
	if err != nil || len(pending) == 0 {
		return err
	}
	var issued []*AwardRecord
	var lost []string
	for _, p := range pending {
		if _, err := s.Issuer.Store.GetCredential(ctx, p.CredentialID); errors.Is(err, issuer.ErrNotFound) {
			lost = append(lost, p.CredentialID)
		} else if err != nil {
			return err
		} else {
			issued = append(issued, p)
		}
	}
	if err := s.Store.DropPending(ctx, lost); err != nil {
		return err
	}
	if len(issued) == 0 {
		return nil
	}
	is, err := s.Issuer.Issuer(ctx, ach.IssuerID)
	if err != nil {
		return err
	}
	variant := map[string]*Achievement{}
	for _, p := range issued {
		if _, ok := variant[p.Lang]; !ok {
			if variant[p.Lang], err = s.Variant(ctx, ach, p.Lang); err != nil {
				return err
			}
		}
	}
	// Keyed by the record's language here (complete looks up by it).
	return s.complete(ctx, is.Profile.Name, variant, issued)
}

// complete marks recs issued and, in the same transaction, stores a claim
// link for each and queues its e-mail.
func (s *Service) complete(ctx context.Context, issuerName string, variant map[string]*Achievement, recs []*AwardRecord) error {
	now := s.now()
	ttl := s.ClaimTTL
	if ttl <= 0 {
		ttl = DefaultClaimTTL
	}
	claims := make([]*Claim, 0, len(recs))
	mails := make([]*Mail, 0, len(recs))
	byLang := map[string]*Achievement{}
	for _, v := range variant {
		byLang[v.Lang] = v
	}
	for _, r := range recs {
		r.State, r.IssuedAt = AwardIssued, now
		token, hash := newClaimToken()
		c := &Claim{TokenHash: hash, CredentialID: r.CredentialID, ExpiresAt: now.Add(ttl)}
		claims = append(claims, c)
		lang, _ := i18n.Parse(r.Lang)
		if lang == "" {
			lang = i18n.EN
		}
		name := r.AchievementID
		if v := byLang[r.Lang]; v != nil {
			name = v.Name
		}
		subject, body := ClaimMail(lang, r.Name, issuerName, name, s.ClaimURL(token), c.ExpiresAt)
		mails = append(mails, &Mail{To: r.Email, Subject: subject, Body: body, CredentialID: r.CredentialID, NextAt: now, CreatedAt: now})
	}
	return s.Store.Complete(ctx, recs, claims, mails)
}

// ClaimURL is the link a learner follows to claim a badge.
func (s *Service) ClaimURL(token string) string {
	return strings.TrimSuffix(s.BaseURL, "/") + "/claim/" + token
}

// newClaimToken returns a claim token (256 random bits, base64url) and
// the SHA-256 the store keeps: a database leak reveals no working link.
func newClaimToken() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms (Go 1.24+)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, ClaimHash(token)
}

// ClaimHash is the stored form of a claim token.
func ClaimHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
