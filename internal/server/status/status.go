// Package status is the part of Blason's HTTP server that publishes the
// issuer's public documents: its status lists (Bitstring Status List and
// StatusList2021), its DID document (did:web) and its JWKS. They are
// cacheable and need no authentication; see internal/server/part for how a
// part is mounted.
package status

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/issuer"
)

// Config is what the documents part serves; each zero value leaves its
// route out.
type Config struct {
	// Service publishes its status lists at /status/{id} (Bitstring) and
	// /status/{id}/2021 (StatusList2021).
	Service *issuer.Service
	// DIDDocument (a did:web issuer) is served at the path its DID maps to
	// (/.well-known/did.json for a bare host).
	DIDDocument *did.Document
	// JWKS is the issuer's public key set served at /.well-known/jwks.json
	// (OB 3.0 §8.5 key provenance for VC-JWTs).
	JWKS json.RawMessage
	// IssuerID, with Service, serves the issuer's DID document (a did:web
	// issuer) and JWKS as Service.DIDDocument and Service.JWKS make them
	// on each request, from the store: a key rotated by any process
	// sharing the database is published at once, with the retired keys.
	// DIDDocument and JWKS, when set, are served instead.
	IssuerID string
}

// Documents is the part; it implements part.Part.
type Documents struct{ cfg Config }

// New returns the documents part. It needs nothing shared: its routes are
// public and cheap.
func New(_ part.Shared, cfg Config) *Documents { return &Documents{cfg: cfg} }

// Mount adds the configured documents' routes.
func (d *Documents) Mount(r gin.IRouter) {
	if d.cfg.Service != nil {
		// The paths of issuer.StatusListURL, the one scheme.
		r.GET(issuer.StatusListPath+":id", d.statusList(issuer.FormatBitstring))
		r.GET(issuer.StatusListPath+":id"+issuer.StatusList2021Suffix, d.statusList(issuer.FormatStatusList2021))
	}
	live := d.cfg.Service != nil && d.cfg.IssuerID != ""
	switch {
	case d.cfg.JWKS != nil:
		r.GET("/.well-known/jwks.json", func(c *gin.Context) {
			c.Header("Cache-Control", "public, max-age="+keysMaxAge)
			c.Data(http.StatusOK, "application/jwk-set+json", d.cfg.JWKS)
		})
	case live:
		r.GET("/.well-known/jwks.json", d.liveJWKS)
	}
	switch {
	case d.cfg.DIDDocument != nil:
		if path, err := DIDDocumentPath(d.cfg.DIDDocument.ID); err == nil {
			r.GET(path, d.didDocument)
		}
	case live && strings.HasPrefix(d.cfg.IssuerID, "did:web:"):
		if path, err := DIDDocumentPath(d.cfg.IssuerID); err == nil {
			r.GET(path, d.didDocument)
		}
	}
}

// keysMaxAge is how long caches may keep the DID document and the JWKS: a
// minute, so that after a key rotation verifiers that honour it learn the
// new key soon (a verifier holding the document longer cannot check the
// badges signed by the new key until it fetches it again).
const keysMaxAge = "60"

func (d *Documents) didDocument(c *gin.Context) {
	doc := d.cfg.DIDDocument
	if doc == nil {
		var err error
		if doc, err = d.cfg.Service.DIDDocument(c.Request.Context(), d.cfg.IssuerID); err != nil {
			problem.Error(c, err, "")
			return
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		problem.Error(c, err, "")
		return
	}
	c.Header("Cache-Control", "public, max-age="+keysMaxAge)
	c.Data(http.StatusOK, "application/did+json", b)
}

func (d *Documents) liveJWKS(c *gin.Context) {
	b, err := d.cfg.Service.JWKS(c.Request.Context(), d.cfg.IssuerID)
	if err != nil {
		problem.Error(c, err, "")
		return
	}
	c.Header("Cache-Control", "public, max-age="+keysMaxAge)
	c.Data(http.StatusOK, "application/jwk-set+json", b)
}

// DIDDocumentPath is where a did:web DID's document lives on its host
// (did:web method spec §3.2 "Read").
func DIDDocumentPath(d string) (string, error) {
	u, err := did.WebDocumentURL(d)
	if err != nil {
		return "", err
	}
	i := len("https://")
	for ; i < len(u) && u[i] != '/'; i++ {
	}
	return u[i:], nil
}

// GET /status/:id and /status/:id/2021: a signed status list credential,
// cacheable (Bitstring Status List §6.5: verifiers should cache lists) with
// a weak ETag that changes only when a bit changes.
func (d *Documents) statusList(f issuer.ListFormat) gin.HandlerFunc {
	return func(c *gin.Context) {
		doc, version, err := d.cfg.Service.StatusList(c.Request.Context(), c.Param("id"), f)
		if err != nil {
			problem.Error(c, err, "no status list "+c.Param("id"))
			return
		}
		// Weak (RFC 9110 §8.8.1): the version names the bits, not the
		// bytes. Each process sharing the database signs its own copy (its
		// own validFrom and proof), so the same version has different bytes
		// on each; a cache revalidating through any of them still gets 304.
		etag := fmt.Sprintf(`W/"%s.%d.%d"`, c.Param("id"), f, version)
		ttl := d.cfg.Service.ListTTL
		if ttl <= 0 {
			ttl = issuer.DefaultListTTL
		}
		c.Header("ETag", etag)
		c.Header("Cache-Control", "public, max-age="+strconv.Itoa(int(ttl.Seconds())))
		if match := c.GetHeader("If-None-Match"); match != "" && etagMatches(match, etag) {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, "application/json", doc)
	}
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 §13.1.2): the
// opaque tags match whether either is marked weak.
func etagMatches(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
