package obapi

import (
	"context"
	"errors"
	"sort"
	"time"

	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/store/oauthdb"
)

// Listed is one of a user's badges as the wallet lists them. Raw may be
// left out of a listing (a wallet lists metadata): Load then reads it,
// for the badges of the page only.
type Listed struct {
	ID        string
	Raw       []byte
	JWS       bool
	ValidFrom time.Time
	AddedAt   time.Time
}

// Funcs makes a Wallet from the wallet's own operations, so that blason
// serve wires the wallet in a few lines without this part importing the
// wallet role:
//
//	obapi.Funcs{
//		OwnerOf: func(ctx, user) (*obapi.Owner, error) { /* account e-mail, holder DID */ },
//		List:    func(ctx, user) ([]obapi.Listed, error) { /* wallet badges that verified */ },
//		Keep:    func(ctx, user, c obapi.Upsert) (bool, error) {
//			res, err := w.ImportCredential(ctx, user, wallet.Import{Data: c.Raw, Source: "obapi", Email: email})
//			if errors.Is(err, wallet.ErrDuplicate) || errors.Is(err, wallet.ErrOlderVersion) { return false, nil }
//			if err != nil { return false, err }
//			return res.Replaced == "", nil
//		},
//		Profiles: oauthStore,
//	}
//
// Paging (since, offset, limit, the total) is done here over List, in the
// order the badges were issued (validFrom, then when they were added).
type Funcs struct {
	OwnerOf func(ctx context.Context, userID string) (*Owner, error)
	List    func(ctx context.Context, userID string) ([]Listed, error)
	Keep    func(ctx context.Context, userID string, c Upsert) (created bool, err error)
	// Load reads one badge's exact bytes when List left them out.
	Load     func(ctx context.Context, userID, id string) ([]byte, error)
	Profiles *oauthdb.Store
}

// Owner implements Wallet.
func (f Funcs) Owner(ctx context.Context, userID string) (*Owner, error) {
	return f.OwnerOf(ctx, userID)
}

// Credentials implements Wallet.
func (f Funcs) Credentials(ctx context.Context, userID string, p ob.Page) ([]Held, int, error) {
	all, err := f.List(ctx, userID)
	if err != nil {
		return nil, 0, err
	}
	kept := all[:0:0]
	for _, l := range all {
		if p.Since.IsZero() || l.ValidFrom.After(p.Since) {
			kept = append(kept, l)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if !kept[i].ValidFrom.Equal(kept[j].ValidFrom) {
			return kept[i].ValidFrom.Before(kept[j].ValidFrom)
		}
		return kept[i].AddedAt.Before(kept[j].AddedAt)
	})
	var out []Held
	for i := p.Offset; i < len(kept) && i < p.Offset+p.Limit; i++ {
		raw := kept[i].Raw
		if len(raw) == 0 && f.Load != nil {
			if raw, err = f.Load(ctx, userID, kept[i].ID); err != nil {
				return nil, 0, err
			}
		}
		if len(raw) == 0 {
			return nil, 0, errors.New("obapi: a listed badge has no content")
		}
		out = append(out, Held{Raw: raw, JWS: kept[i].JWS})
	}
	return out, len(kept), nil
}

// Upsert implements Wallet.
func (f Funcs) Upsert(ctx context.Context, userID string, c Upsert) (bool, error) {
	return f.Keep(ctx, userID, c)
}

// Profile implements Wallet.
func (f Funcs) Profile(ctx context.Context, userID string) ([]byte, error) {
	b, err := f.Profiles.Profile(ctx, userID)
	if errors.Is(err, oauthdb.ErrNoProfile) {
		return nil, ErrNoProfile
	}
	return b, err
}

// PutProfile implements Wallet.
func (f Funcs) PutProfile(ctx context.Context, userID string, profile []byte) error {
	return f.Profiles.PutProfile(ctx, userID, profile)
}
