package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/status"
)

// Fetcher GETs a JSON document: status lists, revocation lists, refreshed
// credentials. *fetch.Client satisfies it (timeouts, size caps,
// private-address guard).
type Fetcher interface {
	GetJSON(ctx context.Context, url string, accept ...string) ([]byte, error)
}

// LocalFetcher is a Fetcher that may serve some URLs from the caller's own
// state (a server reading its own status lists): those are always current,
// so the verifier does not cache them.
type LocalFetcher interface {
	Fetcher
	IsLocal(url string) bool
}

// TrustedListFetcher is a Fetcher that holds some status lists itself,
// already decoded, and vouches for them: a server's own lists, which it
// signed. For a URL it holds, TrustedList returns the list (ok true) and the
// verifier uses it as is, without fetching, parsing or verifying its proof;
// the issuer and validity period are still checked. The list must be
// current: the verifier does not cache it. For any other URL it returns ok
// false and the verifier fetches as usual.
type TrustedListFetcher interface {
	Fetcher
	TrustedList(ctx context.Context, url string) (list *status.List, ok bool, err error)
}

// listClockSkew is how far in the future a status list's validFrom may be.
const listClockSkew = 2 * time.Minute

func (v *Verifier) cacheable(url string) bool {
	lf, ok := v.statusFetcher().(LocalFetcher)
	return !ok || !lf.IsLocal(url)
}

// statusFetcher is Options.StatusFetcher, else Options.Fetcher.
func (v *Verifier) statusFetcher() Fetcher {
	if v.opts.StatusFetcher != nil {
		return v.opts.StatusFetcher
	}
	return v.opts.Fetcher
}

// Status list cache bounds: a list's ttl is honoured between these.
const (
	defaultListTTL = 5 * time.Minute
	minListTTL     = 30 * time.Second
	maxListTTL     = 24 * time.Hour
	maxCachedLists = limits.CachedStatusLists
)

// listCache keeps verified status lists and revocation lists by URL, for
// their ttl. It is shared by every verification of one Verifier.
type listCache struct {
	mu      sync.Mutex
	entries map[string]cachedList
}

type cachedList struct {
	list    *status.List
	revoked *status.RevocationList
	until   time.Time
}

func (c *listCache) get(url string, now time.Time) (cachedList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[url]
	if !ok || now.After(e.until) {
		return cachedList{}, false
	}
	return e, true
}

func (c *listCache) put(url string, e cachedList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cachedList{}
	}
	if len(c.entries) >= maxCachedLists {
		for k := range c.entries { // evict one arbitrary entry
			delete(c.entries, k)
			break
		}
	}
	c.entries[url] = e
}

// statusOutcome is one entry's result.
type statusOutcome struct {
	outcome Outcome
	message string
	detail  string
}

// checkStatus applies OB 3.0 §9.1 step 4 (status) to every credentialStatus
// entry: BitstringStatusListEntry, StatusList2021Entry and
// 1EdTechRevocationList. It runs only after the credential's proof
// verified. Revoked or suspended fails the check; a list that cannot be
// fetched or trusted leaves it unknown ("could not check"), never passed.
func (v *Verifier) checkStatus(ctx context.Context, c *credential.Credential, r *Report) {
	// Two 1EdTech fixtures write statusListIndex as a JSON number; reading
	// it leniently can only reveal a revocation, never hide one.
	entries, err := status.ParseEntriesWith(c.Doc["credentialStatus"], status.ParseOptions{AllowNumericIndex: true})
	if err != nil {
		r.set(CheckStatus, Unknown, MsgStatusMalformed, err.Error())
		return
	}
	if v.statusFetcher() == nil {
		r.set(CheckStatus, Unknown, MsgStatusOffline, "status lists are not fetched in offline mode")
		return
	}
	var outs []statusOutcome
	for _, e := range entries {
		switch e.Type {
		case status.TypeBitstringEntry, status.TypeStatusList2021:
			outs = append(outs, v.listStatus(ctx, c, e))
		case status.Type1EdTechRevocation:
			outs = append(outs, v.revocationListStatus(ctx, c, e))
		default:
			outs = append(outs, statusOutcome{Unknown, MsgStatusUnsupportedMethod, "status method " + e.Type + " is not supported"})
		}
	}
	// Worst first: a failure (revoked, suspended) outranks could-not-check.
	var details []string
	final := statusOutcome{Passed, MsgStatusOK, ""}
	for _, o := range outs {
		details = append(details, o.detail)
		switch {
		case o.outcome == Failed && final.outcome != Failed:
			final = o
		case o.outcome == Unknown && final.outcome == Passed:
			final = o
		}
	}
	r.set(CheckStatus, final.outcome, final.message, strings.Join(details, "; "))
}

func (v *Verifier) listStatus(ctx context.Context, c *credential.Credential, e status.Entry) statusOutcome {
	list, err := v.fetchList(ctx, e.ListCredential, c.IssuerID())
	if err != nil {
		return statusOutcome{Unknown, MsgStatusUnreachable, "could not check " + e.ListCredential + ": " + err.Error()}
	}
	res, err := list.Status(e)
	if err != nil {
		return statusOutcome{Unknown, MsgStatusInvalidList, "could not check " + e.ListCredential + ": " + err.Error()}
	}
	where := fmt.Sprintf("%s entry %d of %s", e.Purpose, e.Index, e.ListCredential)
	switch {
	case status.Revoked(res):
		return statusOutcome{Failed, MsgStatusRevoked, "revoked (" + where + ")"}
	case status.Suspended(res):
		return statusOutcome{Failed, MsgStatusSuspended, "suspended (" + where + ")"}
	case !res.Valid:
		return statusOutcome{Passed, MsgStatusOK, fmt.Sprintf("%s: %s", where, res.Message.Message)}
	}
	return statusOutcome{Passed, MsgStatusOK, "not " + map[string]string{"revocation": "revoked", "suspension": "suspended"}[e.Purpose] + " (" + where + ")"}
}

// fetchList returns a status list credential whose own proof verified and
// whose issuer is the credential's issuer (Bitstring Status List §3.2:
// validate the status list credential; anyone else's list proves nothing).
func (v *Verifier) fetchList(ctx context.Context, url, issuer string) (*status.List, error) {
	now := v.opts.Now()
	if tf, ok := v.statusFetcher().(TrustedListFetcher); ok {
		list, held, err := tf.TrustedList(ctx, url)
		switch {
		case held && err != nil:
			return nil, err
		case held && list == nil:
			return nil, errors.New("the status list is not available")
		case held:
			if list.Issuer != issuer {
				return nil, fmt.Errorf("the list is issued by %s, not by the credential's issuer %s", list.Issuer, issuer)
			}
			if err := checkListDates(list, now); err != nil {
				return nil, err
			}
			return list, nil
		}
	}
	if e, ok := v.lists.get(url, now); ok && e.list != nil && v.cacheable(url) {
		if e.list.Issuer != issuer {
			return nil, fmt.Errorf("the list is issued by %s, not by the credential's issuer %s", e.list.Issuer, issuer)
		}
		return e.list, nil
	}
	body, err := v.statusFetcher().GetJSON(ctx, url, "application/vc+ld+json", "application/ld+json", "application/json")
	if err != nil {
		return nil, err
	}
	val, err := credential.ParseJSON(body, v.opts.Limits)
	if err != nil {
		return nil, err
	}
	doc, ok := val.(map[string]any)
	if !ok {
		return nil, errors.New("the status list is not a JSON object")
	}
	results, err := dataintegrity.Verify(ctx, doc, dataintegrity.VerifyOptions{Resolver: v.opts.Resolver, Now: v.opts.Now})
	if err != nil {
		return nil, fmt.Errorf("the status list's proof does not verify: %w", err)
	}
	list, err := status.ParseListCredential(doc)
	if err != nil {
		return nil, err
	}
	if list.Issuer != issuer {
		return nil, fmt.Errorf("the list is issued by %s, not by the credential's issuer %s", list.Issuer, issuer)
	}
	// Key provenance, as for the credential: the list must be signed with
	// a key its issuer controls, or anyone could publish "not revoked".
	for _, res := range results {
		if res.Err == nil && (res.Key == nil || res.Key.Controller != issuer) {
			return nil, fmt.Errorf("the status list is signed with %s, a key its issuer %s does not control", res.VerificationMethod, issuer)
		}
	}
	if err := checkListDates(list, now); err != nil {
		return nil, err
	}
	ttl := list.TTL
	switch {
	case ttl == 0:
		ttl = defaultListTTL
	case ttl < minListTTL:
		ttl = minListTTL
	case ttl > maxListTTL:
		ttl = maxListTTL
	}
	until := now.Add(ttl)
	if !list.ValidUntil.IsZero() && list.ValidUntil.Before(until) {
		until = list.ValidUntil
	}
	if v.cacheable(url) {
		v.lists.put(url, cachedList{list: list, until: until})
	}
	return list, nil
}

// checkListDates refuses a list outside its validity period. A list is
// signed when it is asked for: "now" was read before the fetch, and an
// issuer's clock may run a little ahead of ours. A list dated up to
// listClockSkew in the future is current, not "not yet valid" (it was a
// flaky test: signed in the next second).
func checkListDates(list *status.List, now time.Time) error {
	if !list.ValidFrom.IsZero() && now.Add(listClockSkew).Before(list.ValidFrom) {
		return errors.New("the status list is not valid yet")
	}
	if !list.ValidUntil.IsZero() && now.After(list.ValidUntil) {
		return errors.New("the status list has expired")
	}
	return nil
}

// revocationListStatus reads a 1EdTech Revocation List (VCRL 1.0, as the
// 1EdTech validator does): GET credentialStatus.id, then look for the
// credential's id in revokedCredential.
func (v *Verifier) revocationListStatus(ctx context.Context, c *credential.Credential, e status.Entry) statusOutcome {
	now := v.opts.Now()
	rl := (*status.RevocationList)(nil)
	if cached, ok := v.lists.get(e.ID, now); ok && cached.revoked != nil && v.cacheable(e.ID) {
		rl = cached.revoked
	} else {
		body, err := v.statusFetcher().GetJSON(ctx, e.ID, "application/json")
		if err != nil {
			return statusOutcome{Unknown, MsgStatusUnreachable, "could not check " + e.ID + ": " + err.Error()}
		}
		if rl, err = status.ParseRevocationList(body); err != nil {
			return statusOutcome{Unknown, MsgStatusInvalidList, "could not check " + e.ID + ": " + err.Error()}
		}
		if v.cacheable(e.ID) {
			v.lists.put(e.ID, cachedList{revoked: rl, until: now.Add(defaultListTTL)})
		}
	}
	if revoked, reason := rl.Revoked(c.ID()); revoked {
		d := "revoked (1EdTech revocation list " + e.ID + ")"
		if reason != "" {
			d += ": " + reason
		}
		return statusOutcome{Failed, MsgStatusRevoked, d}
	}
	return statusOutcome{Passed, MsgStatusOK, "not in the 1EdTech revocation list " + e.ID}
}
