package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/server"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// envOr returns the environment variable BLASON_<name> when set, else def:
// every serve flag can also be set from the environment.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv("BLASON_" + name); ok {
		return v
	}
	return def
}

func serve(e env, args []string) int {
	fs := newFlags(e, "serve")
	addr := fs.String("addr", envOr("ADDR", "127.0.0.1:8080"), "listen address (BLASON_ADDR)")
	data := fs.String("data", envOr("DATA", "blason-data"), "data directory, created if missing (BLASON_DATA)")
	keyPath := fs.String("key", envOr("KEY", ""), "issuer key file from 'blason key new'; default: DATA/issuer.key, created on first run (BLASON_KEY)")
	didWeb := fs.String("did-web", envOr("DID_WEB", ""), "sign as this did:web DID and serve its DID document, e.g. did:web:badges.example.org (BLASON_DID_WEB)")
	name := fs.String("issuer-name", envOr("ISSUER_NAME", "Blason demo issuer"), "issuer name shown on badges (BLASON_ISSUER_NAME)")
	maxBody := fs.String("max-body", envOr("MAX_BODY", strconv.Itoa(server.DefaultMaxBody)), "largest request body in bytes; larger get 413 (BLASON_MAX_BODY)")
	allowPrivate := fs.String("allow-private-fetch", envOr("ALLOW_PRIVATE_FETCH", "false"), "let did:web resolution reach private and loopback addresses (BLASON_ALLOW_PRIVATE_FETCH)")
	logFormat := fs.String("log-format", envOr("LOG_FORMAT", "text"), "text or json (BLASON_LOG_FORMAT)")
	grace := fs.Duration("shutdown-grace", 20*time.Second, "time given to requests in flight on SIGTERM")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(e, "usage: blason serve [flags]; see blason serve -h")
	}
	limit, err := strconv.ParseInt(*maxBody, 10, 64)
	if err != nil || limit <= 0 {
		return fail(e, "serve: --max-body must be a positive number of bytes, got %q", *maxBody)
	}
	private, err := strconv.ParseBool(*allowPrivate)
	if err != nil {
		return fail(e, "serve: --allow-private-fetch must be true or false, got %q", *allowPrivate)
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(e.stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(e.stderr, nil)
	default:
		return fail(e, "serve: --log-format must be text or json, got %q", *logFormat)
	}
	logger := slog.New(handler)

	if err := os.MkdirAll(*data, 0o700); err != nil {
		return failErr(e, "serve", err)
	}
	key, created, err := loadOrCreateKey(*keyPath, *data)
	if err != nil {
		return failErr(e, "serve", err)
	}
	if created {
		logger.Info("created issuer key", "file", filepath.Join(*data, "issuer.key"), "did", key.DID)
	}
	cfg := server.Config{MaxBody: limit, Logger: logger, Version: version}
	if *didWeb != "" {
		if !strings.HasPrefix(*didWeb, "did:web:") {
			return fail(e, "serve: --did-web must be a did:web DID, got %q", *didWeb)
		}
		// The same key, published under the did:web DID (did:web method
		// spec: the DID document lives on the issuer's own web server).
		vm := *didWeb + "#key-1"
		doc, err := did.ControllerDocument(*didWeb, vm, key.Signer.Public())
		if err != nil {
			return failErr(e, "serve", err)
		}
		key = &issuer.Key{Signer: key.Signer, DID: *didWeb, VerificationMethod: vm, Type: key.Type}
		cfg.DIDDocument = doc
	}
	jwk, err := did.PublicJWK(key.Signer.Public(), key.VerificationMethod)
	if err != nil {
		return failErr(e, "serve", err)
	}
	cfg.JWKS = []byte(`{"keys":[` + string(jwk) + `]}`)

	client := fetch.New(fetch.Options{AllowPrivate: private})
	dids := did.MultiResolver{"key": did.Offline, "jwk": did.Offline,
		"web": &did.WebResolver{Fetcher: client, Cache: fetch.NewCache[*did.Document](256, nil)}}
	v := verifier.New(verifier.Options{DIDs: dids, Fetcher: client, AcceptGeneric: true})
	cfg.Verifier = v
	cfg.Issuer = &issuer.Issuer{
		Profile:   issuer.Profile{ID: key.DID, Name: *name},
		Key:       key,
		Preflight: preflight{v},
	}
	srv := server.New(cfg)
	err = srv.ListenAndServe(e.ctx, *addr, *grace, func(a net.Addr) {
		logger.Info("listening", "addr", a.String(), "issuer", key.DID)
		fmt.Fprintf(e.stdout, "Blason is serving on http://%s (issuer %s). Stop with Ctrl-C.\n", a, key.DID)
	})
	if err != nil {
		return failErr(e, "serve", err)
	}
	logger.Info("stopped")
	return exitOK
}

// loadOrCreateKey reads the key file, or with none given, DATA/issuer.key,
// creating it (mode 0600) on first run.
func loadOrCreateKey(path, data string) (*issuer.Key, bool, error) {
	if path != "" {
		k, err := issuer.ReadKeyFile(path)
		return k, false, err
	}
	path = filepath.Join(data, "issuer.key")
	if _, err := os.Stat(path); err == nil {
		k, err := issuer.ReadKeyFile(path)
		return k, false, err
	}
	k, err := issuer.NewKey("")
	if err != nil {
		return nil, false, err
	}
	if err := issuer.WriteKeyFile(path, k); err != nil {
		return nil, false, err
	}
	return k, true, nil
}
