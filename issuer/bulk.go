package issuer

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/blason-badges/blason/internal/credential"
)

// AwardMany issues several Open Badges credentials for one issuer in
// batches of at most MaxBatch: each batch reserves its status slots at
// once, its credentials are built, signed and preflight-verified on every
// CPU core (no store lock held), and recorded in one transaction (all or
// nothing). progress, if not nil, is called after each batch with
// the number of credentials issued so far (for progress bars).
//
// If a batch fails, the batches before it stay issued; the error says how
// many were, and which award failed.
func (s *Service) AwardMany(ctx context.Context, issuerID string, awards []Award, progress func(done int)) ([]*CredentialRecord, error) {
	is, err := s.Issuer(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	out := make([]*CredentialRecord, 0, len(awards))
	for start := 0; start < len(awards); start += MaxBatch {
		end := min(start+MaxBatch, len(awards))
		batch := append([]Award(nil), awards[start:end]...)
		for i := range batch {
			if batch[i].ID == "" {
				if batch[i].ID, err = newURNUUID(); err != nil {
					return out, err
				}
			}
		}
		recs, err := s.Store.AwardBatch(ctx, issuerID, []StatusPurpose{PurposeRevocation}, s.listSize(), len(batch),
			func(slots [][]StatusSlot) ([]*CredentialRecord, error) { return s.buildBatch(ctx, is, batch, slots) })
		if err != nil {
			return out, fmt.Errorf("%d of %d issued; batch from award %d: %w", len(out), len(awards), start+1, err)
		}
		out = append(out, recs...)
		if progress != nil {
			progress(len(out))
		}
	}
	return out, nil
}

// buildBatch builds and signs each credential of a batch, on all cores.
func (s *Service) buildBatch(ctx context.Context, is *Issuer, batch []Award, slots [][]StatusSlot) ([]*CredentialRecord, error) {
	recs := make([]*CredentialRecord, len(batch))
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				recs[i], errs[i] = s.build(ctx, is, batch[i], slots[i])
			}
		}()
	}
	for i := range batch {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("award %d: %w", i+1, err)
		}
	}
	return recs, nil
}

// build issues one credential with its status entry and makes its record.
func (s *Service) build(ctx context.Context, is *Issuer, a Award, slots []StatusSlot) (*CredentialRecord, error) {
	a.CredentialStatus = s.entry(slots[0], false)
	out, doc, err := is.issue(ctx, a)
	if err != nil {
		return nil, err
	}
	rec := &CredentialRecord{ID: a.ID, IssuerID: is.Profile.ID, RecipientEmail: a.Recipient.Email, RecipientDID: a.Recipient.DID,
		Slots: slots, Status: StatusActive, IssuedAt: s.now().UTC(), Document: out}
	rec.AchievementID, _ = a.Achievement["id"].(string)
	// The dates come from the credential as built: out is a compact JWS
	// for FormatJWT, which parsing as JSON always failed on.
	c := credential.FromMap(doc)
	rec.ValidFrom, _, _ = c.ValidFrom()
	rec.ValidUntil, _, _ = c.ValidUntil()
	return rec, nil
}
