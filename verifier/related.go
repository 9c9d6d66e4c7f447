package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/fetch"
)

// maxRelatedFetches bounds the related resources fetched for one credential.
const maxRelatedFetches = 8

// rawFetcher is implemented by fetchers that can return any media type
// (fetch.Client does); a plain Fetcher only returns JSON.
type rawFetcher interface {
	Get(ctx context.Context, url string, accept ...string) (*fetch.Response, error)
}

// checkRelated applies VC DM 2.0 §5.3 (Integrity of Related Resources):
// each relatedResource names digests of a resource; a resource the
// verifier obtains must have them ("it is desirable to know whether the
// resource has been modified since the verifiable credential was issued").
// Pinned contexts are compared with the bytes Blason uses, without a
// fetch; other resources are fetched through the Fetcher, only after the
// proof verified (so a forged credential cannot make us contact a URL of
// its choosing). A digest that differs fails the credential; a resource
// that could not be obtained is reported as not checked.
func (v *Verifier) checkRelated(ctx context.Context, c *credential.Credential, r *Report) {
	rr := c.RelatedResources()
	if len(rr) == 0 {
		r.set(CheckRelated, Skipped, MsgRelatedNone, "the credential lists no related resources")
		return
	}
	var mismatched, unchecked []string
	fetches := 0
	for _, o := range rr {
		id, _ := o["id"].(string)
		digests, err := credential.ParseDigests(o)
		if err != nil || id == "" || len(digests) == 0 {
			continue // the data-model check reports the malformed entry
		}
		var body []byte
		switch {
		case contexts.Known(id):
			body, err = contexts.Bytes(id)
		case v.opts.Fetcher == nil:
			err = errors.New("offline")
		case fetches >= maxRelatedFetches:
			err = fmt.Errorf("more than %d related resources", maxRelatedFetches)
		default:
			fetches++
			body, err = v.fetchRelated(ctx, id, o["mediaType"])
		}
		if err != nil {
			unchecked = append(unchecked, fmt.Sprintf("%s (%v)", id, err))
			continue
		}
		for _, d := range digests {
			if !d.Matches(body) {
				mismatched = append(mismatched, fmt.Sprintf("%s (its %s %s digest differs)", id, d.Source, d.Algorithm))
				break
			}
		}
	}
	switch {
	case len(mismatched) > 0:
		r.set(CheckRelated, Failed, MsgRelatedMismatch, "changed since the credential was issued: "+strings.Join(mismatched, "; "))
	case len(unchecked) > 0:
		r.set(CheckRelated, Unknown, MsgRelatedUnchecked, "not checked: "+strings.Join(unchecked, "; "))
	default:
		r.set(CheckRelated, Passed, MsgRelatedOK, fmt.Sprintf("%d related resources match their digests", len(rr)))
	}
}

// fetchRelated gets a related resource, asking for its mediaType when the
// credential names one (§5.3: implementations "SHOULD use the media type in
// the Accept HTTP Header").
func (v *Verifier) fetchRelated(ctx context.Context, url string, mediaType any) ([]byte, error) {
	var accept []string
	if mt, ok := mediaType.(string); ok && mt != "" && !strings.ContainsAny(mt, "\r\n") {
		accept = []string{mt}
	}
	if rf, ok := v.opts.Fetcher.(rawFetcher); ok {
		if accept == nil {
			accept = []string{"*/*"}
		}
		resp, err := rf.Get(ctx, url, accept...)
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
	return v.opts.Fetcher.GetJSON(ctx, url, accept...)
}
