package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/mailer"
	"github.com/blason-badges/blason/internal/server"
	"github.com/blason-badges/blason/internal/server/walletapi"
	webpages "github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/store/issuerdb"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/internal/store/walletdb"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// defaultServeGC is serve's garbage collector target (GOGC) when the
// operator sets none. The server's live heap is small (about 7 MB: the
// compiled schemas, contexts, decoded status lists) and a verification
// allocates about 45 kB, so with Go's default of 100 the collector ran
// every 8 MB, some twenty times a second at 4,000 verifications/s, for
// 8 % of the CPU (BenchmarkVerifyOwnBadge: 209 -> 192 us of CPU per
// verification with 400). 400 lets the heap reach five times the live
// data (about 35 MB) between collections. GOGC in the environment, e.g.
// GOGC=100 or with GOMEMLIMIT, overrides it.
const defaultServeGC = 400

// serveGCPercent returns the GOGC serve sets, and false when the
// environment sets GOGC (the runtime has already applied it).
func serveGCPercent(lookup func(string) (string, bool)) (int, bool) {
	if _, set := lookup("GOGC"); set {
		return 0, false
	}
	return defaultServeGC, true
}

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
	sf := addStateFlags(fs)
	keyPath := fs.String("key", envOr("KEY", ""), "import this key file (from 'blason key new') as the issuer on first run (BLASON_KEY)")
	didWeb := fs.String("did-web", envOr("DID_WEB", ""), "sign as this did:web DID and serve its DID document, e.g. did:web:badges.example.org (BLASON_DID_WEB)")
	issuerURL := fs.String("issuer-url", envOr("ISSUER_URL", ""), "sign as the issuer whose id is this https URL of this server, https://HOST/issuers/NAME, and serve its profile there (JSON for machines, with its key; a page for people) (BLASON_ISSUER_URL)")
	name := fs.String("issuer-name", envOr("ISSUER_NAME", "Blason demo issuer"), "issuer name shown on badges, used when the issuer is created (BLASON_ISSUER_NAME)")
	publicURL := fs.String("public-url", envOr("PUBLIC_URL", ""), "public https URL of this server, written into badges as the base of their status-list URLs; default https://HOST for --did-web, else http://ADDR, which only this machine can check ('blason verify --data DIR') (BLASON_PUBLIC_URL)")
	maxBody := fs.String("max-body", envOr("MAX_BODY", strconv.Itoa(server.DefaultMaxBody)), "largest request body in bytes; larger get 413 (BLASON_MAX_BODY)")
	allowPrivate := fs.String("allow-private-fetch", envOr("ALLOW_PRIVATE_FETCH", "false"), "let did:web and status-list fetches reach private and loopback addresses (BLASON_ALLOW_PRIVATE_FETCH)")
	logFormat := fs.String("log-format", envOr("LOG_FORMAT", "text"), "text or json (BLASON_LOG_FORMAT)")
	pageLang := fs.String("lang", envOr("LANG_DEFAULT", "en"), "language of the pages for readers whose browser asks for neither French nor English: en or fr (BLASON_LANG_DEFAULT)")
	trustList := fs.String("trust-list", envOr("TRUST_LIST", ""), "JSON file listing known issuers, [{\"id\": \"did:web:lab.example\", \"name\": \"Lab\"}]; the verification page shows others as unknown (BLASON_TRUST_LIST)")
	trustedProxy := fs.String("trusted-proxy", envOr("TRUSTED_PROXY", ""), "CIDR[,CIDR] of reverse proxies whose X-Forwarded-For names the client in logs; default none (BLASON_TRUSTED_PROXY)")
	maxConns := fs.String("max-conns", envOr("MAX_CONNS", strconv.Itoa(server.DefaultMaxConns)), "most connections held open at once; more wait (BLASON_MAX_CONNS)")
	maxInFlight := fs.String("max-inflight", envOr("MAX_INFLIGHT", strconv.Itoa(server.DefaultMaxInFlight())), "most verifications running at once; more get 503 with Retry-After: 1 (BLASON_MAX_INFLIGHT)")
	termsURL := fs.String("terms-url", envOr("TERMS_URL", ""), "terms of use named by the Open Badges API's discovery document and by Blason's registrations at other hosts; default the privacy page (BLASON_TERMS_URL)")
	bodyTimeout := fs.String("body-timeout", envOr("BODY_TIMEOUT", server.DefaultBodyTimeout.String()), "time a request body may take to arrive; slower get 408 (BLASON_BODY_TIMEOUT)")
	smtpURL := fs.String("smtp", envOr("SMTP", ""), "SMTP relay that delivers the claim e-mails: smtp://HOST:PORT (STARTTLS if offered), smtp+starttls://, smtps://; without it e-mails wait in the outbox (BLASON_SMTP)")
	smtpFrom := fs.String("smtp-from", envOr("SMTP_FROM", ""), "sender address of the e-mails, e.g. \"Lab badges <badges@lab.example.org>\" (BLASON_SMTP_FROM)")
	mailEvery := fs.Duration("mail-interval", 10*time.Second, "how often the outbox sends the e-mails due (and retries the failed ones)")
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
	conns, err := strconv.Atoi(*maxConns)
	if err != nil || conns <= 0 {
		return fail(e, "serve: --max-conns must be a positive number, got %q", *maxConns)
	}
	inflight, err := strconv.Atoi(*maxInFlight)
	if err != nil || inflight <= 0 {
		return fail(e, "serve: --max-inflight must be a positive number, got %q", *maxInFlight)
	}
	bodyWait, err := time.ParseDuration(*bodyTimeout)
	if err != nil || bodyWait <= 0 {
		return fail(e, "serve: --body-timeout must be a positive duration such as 10s, got %q", *bodyTimeout)
	}
	proxies, err := server.ParseTrustedProxies(*trustedProxy)
	if err != nil {
		return fail(e, "serve: --trusted-proxy: %v", err)
	}
	private, err := strconv.ParseBool(*allowPrivate)
	if err != nil {
		return fail(e, "serve: --allow-private-fetch must be true or false, got %q", *allowPrivate)
	}
	if *publicURL != "" {
		if u, err := url.Parse(*publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fail(e, "serve: --public-url must be an absolute http(s) URL such as https://badges.example.org, got %q", *publicURL)
		}
	}
	if *didWeb != "" && !strings.HasPrefix(*didWeb, "did:web:") {
		return fail(e, "serve: --did-web must be a did:web DID, got %q", *didWeb)
	}
	named := *didWeb
	if *issuerURL != "" {
		if *didWeb != "" {
			return fail(e, "serve: give --did-web or --issuer-url, not both")
		}
		if err := checkIssuerURL(*issuerURL); err != nil {
			return fail(e, "serve: --issuer-url: %v", err)
		}
		named = *issuerURL
	}
	if *mailEvery <= 0 {
		return fail(e, "serve: --mail-interval must be a positive duration")
	}
	var relay *mailer.SMTP
	if *smtpURL != "" || *smtpFrom != "" {
		if *smtpURL == "" || *smtpFrom == "" {
			return fail(e, "serve: --smtp and --smtp-from go together")
		}
		if relay, err = mailer.New(*smtpURL, *smtpFrom); err != nil {
			return fail(e, "serve: %v", err)
		}
	}
	if percent, ok := serveGCPercent(os.LookupEnv); ok {
		debug.SetGCPercent(percent)
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

	st, err := openState(e.ctx, sf)
	if err != nil {
		return failErr(e, "serve", err)
	}
	defer st.Close()
	svc := st.Issuer
	rec, err := ensureIssuer(e.ctx, svc, st.Issuers, *keyPath, named, *name, logger)
	if err != nil {
		return failErr(e, "serve", err)
	}
	// Every store on the one database the state opened.
	sqlDB := st.DB
	ws, err := workspaceOn(e.ctx, sqlDB, svc)
	if err != nil {
		return failErr(e, "serve", err)
	}
	// --issuer-name (or BLASON_ISSUER_NAME), when given, is the name on
	// the badges from now on, not only when the issuer is first created.
	if nameGiven(fs, "issuer-name", "BLASON_ISSUER_NAME") {
		if changed, err := workspace.SetIssuerName(e.ctx, ws, rec.ID, *name, "serve", time.Now()); err != nil {
			return failErr(e, "serve: --issuer-name", err)
		} else if changed {
			logger.Info("issuer renamed", "id", rec.ID, "name", *name)
		}
	}
	is, err := svc.Issuer(e.ctx, rec.ID)
	if err != nil {
		return failErr(e, "serve", err)
	}
	token, tokenPath, err := operatorToken(*sf.data)
	if err != nil {
		return failErr(e, "serve: operator token", err)
	}
	tokens := st.Tokens
	tokens.Operator = token

	cfg := server.Config{MaxBody: limit, Logger: logger, Version: version, Service: svc, IssuerID: rec.ID, Tokens: tokens,
		PublicURL: publicURLFor(rec.ID, *publicURL, *addr), TrustedProxies: proxies, MaxConns: conns, MaxInFlight: inflight, BodyTimeout: bodyWait}
	client := fetch.New(fetch.Options{AllowPrivate: private})
	var web did.Resolver = &did.WebResolver{Fetcher: client, Cache: fetch.NewCache[*did.Document](limits.CacheEntries, nil)}
	if strings.HasPrefix(rec.ID, "did:web:") {
		// Our own DID resolves from the store, as the server publishes it
		// (cfg.IssuerID: Service.DIDDocument on each request): its current
		// key and the retired ones, whoever rotated it.
		web = selfResolver{id: rec.ID, svc: svc, next: web}
	}
	dids := did.MultiResolver{"key": did.Offline, "jwk": did.Offline, "web": web}
	// Our own status lists are read from the store, not over the network.
	var own verifier.Fetcher = issuer.OwnLists{Service: svc, Next: client}
	if strings.HasPrefix(rec.ID, "https://") {
		// And so is our own profile, with its key.
		own = selfProfile{OwnLists: issuer.OwnLists{Service: svc, Next: client}, id: rec.ID}
	}
	cfg.Verifier = verifier.New(verifier.Options{DIDs: dids, Fetcher: own, AcceptGeneric: true})
	// Preflight does not fetch: the credential's status list is our own.
	preflight := verifier.Options{DIDs: dids, AcceptGeneric: true}
	if strings.HasPrefix(rec.ID, "https://") {
		// An https issuer's key is in its profile, read from the store
		// (nothing else is fetched: Next is nil).
		preflight.Fetcher = selfProfile{OwnLists: issuer.OwnLists{Service: svc}, id: rec.ID}
	}
	svc.Preflight = verifier.New(preflight).Preflight()

	lang, ok := i18n.Parse(*pageLang)
	if !ok {
		return fail(e, "serve: --lang must be en or fr, not %q", *pageLang)
	}
	known, err := readTrustList(*trustList)
	if err != nil {
		return failErr(e, "serve: --trust-list", err)
	}
	known[rec.ID] = is.Profile.Name
	cfg.Pages = &webpages.Config{
		Lang: lang, Known: known, Extract: extractBaked,
		// Verify by address: the hardened client, as for status lists.
		Fetch: func(ctx context.Context, u string) ([]byte, error) {
			r, err := client.Get(ctx, u, "application/json", "application/vc+ld+json", "application/vc+jwt", "image/png", "image/svg+xml", "*/*;q=0.1")
			if err != nil {
				return nil, err
			}
			return r.Body, nil
		},
	}

	userStore, err := userdb.Open(e.ctx, sqlDB)
	if err != nil {
		return failErr(e, "serve: accounts", err)
	}
	users := &account.Users{Store: userStore}
	walletStore, err := walletdb.Open(e.ctx, sqlDB)
	if err != nil {
		return failErr(e, "serve: wallet", err)
	}
	// The wallet verifies with the server's verifier (its own status lists
	// from the store) and seals holder keys under the master key.
	learnerWallet := &wallet.Service{Store: walletStore, Verify: walletapi.VerifyWith(cfg.Verifier), MasterKey: svc.MasterKey}
	cfg.Pages.Users, cfg.Pages.Wallet, cfg.Pages.PublicURL = users, learnerWallet, *publicURL
	// A learner's presentation goes to the verifier address she gives
	// through the same hardened client (https only, public addresses).
	cfg.Pages.Post = wallet.PostWith(client)
	cfg.Wallet = walletapi.Config{Wallet: learnerWallet, Users: users, PublicURL: *publicURL, Fetch: cfg.Pages.Fetch, Post: cfg.Pages.Post}
	// Share views still queued are written when the server stops.
	defer learnerWallet.Close(context.Background())
	wsSvc := &workspace.Service{Store: ws, Issuer: svc}
	var obStore *oauthdb.Store // nil while the Open Badges API is off
	// The Open Badges 3.0 API (host, OAuth 2.0, connections to other
	// hosts) is named by its public URL in its discovery document: it
	// needs one the learners' apps can reach (https, or http on loopback).
	if obURL := publicURLFor(rec.ID, *publicURL, *addr); obapiCheckURL(obURL) != nil {
		logger.Warn("the Open Badges API is off: give --public-url (https) to serve it", "public_url", obURL)
	} else {
		deps := walletDeps(users, learnerWallet)
		deps.TermsURL = *termsURL
		// A claim page can send its badge to the learner's own Open Badges
		// host (/deliver); the claim is used once the host has it.
		deps.Claimed = func(ctx context.Context, token string) ([]byte, error) {
			v, err := wsSvc.LookupClaim(ctx, token)
			if err == nil && v.Used {
				err = workspace.ErrClaim
			}
			if err != nil {
				return nil, err
			}
			return v.Credential.Document, nil
		}
		deps.Delivered = func(ctx context.Context, token string) error {
			_, err := wsSvc.Claim(ctx, token, "host")
			return err
		}
		built, err := openBadges(e.ctx, sqlDB, svc.MasterKey, obURL, client, deps)
		if err != nil {
			return failErr(e, "serve: open badges api", err)
		}
		cfg.OpenBadges = built.Config
		obStore = built.Store
		go purgeOAuth(e.ctx, built.Store, time.Hour, func(err error) { logger.Error("oauth clean-up", "error", err) })
	}
	// The outbox: e-mails queued by awards (this process's or the CLI's)
	// are delivered in the background, retried while the relay is down.
	if relay != nil {
		ob := &workspace.Outbox{Store: ws, Mailer: relay}
		obCtx, stopOutbox := context.WithCancel(e.ctx)
		obDone := make(chan struct{})
		go func() {
			defer close(obDone)
			ob.Run(obCtx, *mailEvery, func(err error) { logger.Warn("outbox", "err", err.Error()) })
		}()
		// Stopped, and waited for, before the database closes.
		defer func() { stopOutbox(); <-obDone }()
	} else if st, err := ws.Outbox(e.ctx); err == nil && st.Waiting > 0 {
		logger.Warn("e-mails are waiting in the outbox and no --smtp relay is configured", "waiting", st.Waiting)
	}

	cfg.Workspace = wsSvc
	cfg.Pages.Forget = forgetters(obStore, wsSvc)
	// Password-reset links go out through the same outbox as claim links.
	cfg.Pages.SendReset = func(ctx context.Context, email string, l i18n.Lang, link string) error {
		subject, body := workspace.ResetMail(l, link)
		return wsSvc.QueueMail(ctx, email, subject, body)
	}
	cfg.Fetch = func(ctx context.Context, u string) ([]byte, error) {
		r, err := client.Get(ctx, u, "application/json", "application/ld+json", "image/png", "image/svg+xml", "image/jpeg", "*/*;q=0.1")
		if err != nil {
			return nil, err
		}
		return r.Body, nil
	}
	srv := server.New(cfg)
	err = srv.ListenAndServe(e.ctx, *addr, *grace, func(a net.Addr) {
		svc.BaseURL = strings.TrimSuffix(*publicURL, "/")
		if svc.BaseURL == "" {
			svc.BaseURL = defaultBaseURL(rec.ID, a)
		}
		// Images and claim links are under the same public URL.
		wsSvc.BaseURL = svc.BaseURL
		logger.Info("listening", "addr", a.String(), "issuer", rec.ID, "public_url", svc.BaseURL)
		if w := statusURLWarning(svc.BaseURL, a); w != "" {
			logger.Warn(w, "public_url", svc.BaseURL, "addr", a.String())
		}
		fmt.Fprintf(e.stdout, "Blason is serving on http://%s\n  issuer:  %s (%s)\n  status lists: %s/status/...\n", a, is.Profile.Name, rec.ID, svc.BaseURL)
		// The pages a person opens first: who they are for, in one line each.
		fmt.Fprintf(e.stdout, "  check a badge:        %s/verify\n  learners' wallet:     %s/signup\n  issuer workspace:     %s/admin\n", svc.BaseURL, svc.BaseURL, svc.BaseURL)
		if tokenPath != "" {
			fmt.Fprintf(e.stdout, "  operator token (every scope; also signs in to /admin): %s\n", tokenPath)
		}
		fmt.Fprintln(e.stdout, "Stop with Ctrl-C.")
	})
	if err != nil {
		return failErr(e, "serve", err)
	}
	logger.Info("stopped")
	return exitOK
}

// nameGiven reports whether the flag was set on the command line or its
// variable in the environment (as opposed to its default).
func nameGiven(fs *flag.FlagSet, flagName, envName string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == flagName })
	_, env := os.LookupEnv(envName)
	return given || env
}

// ensureIssuer returns the server's issuer, creating it on first run: the
// did:web DID if given, else the imported key's did:key, else the first
// issuer stored, else a new did:key issuer. Several processes sharing one
// database must be given the same --key or --did-web: two that start
// together on an empty database without either would each create an issuer.
//
// named is a did:web DID or an https URL (--issuer-url): the same key,
// published under it as its #key-1.
func ensureIssuer(ctx context.Context, svc *issuer.Service, issuers *issuerdb.Store, keyPath, named, name string, logger *slog.Logger) (*issuer.IssuerRecord, error) {
	var key *issuer.Key
	if keyPath != "" {
		k, err := issuer.ReadKeyFile(keyPath)
		if err != nil {
			return nil, err
		}
		key = k
	}
	target := named
	if target == "" && key != nil {
		target = key.DID
	}
	if target == "" {
		list, err := issuers.ListIssuers(ctx)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			return list[0], nil
		}
	}
	if target != "" {
		rec, err := svc.Store.GetIssuer(ctx, target)
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, issuer.ErrNotFound) {
			return nil, err
		}
	}
	if key == nil {
		k, err := issuer.NewKey("")
		if err != nil {
			return nil, err
		}
		key = k
	}
	if named != "" {
		// The same key, published under the did:web DID (the did:web method:
		// the DID document lives on the issuer's own web server) or in the
		// profile served at the https id.
		key = &issuer.Key{Signer: key.Signer, DID: named, VerificationMethod: named + "#key-1", Type: key.Type}
	}
	rec, err := svc.AddIssuer(ctx, issuer.Profile{ID: key.DID, Name: name}, key)
	if errors.Is(err, issuer.ErrExists) {
		// Another serve process on the same database created it between
		// our lookup and our insert (replicas started together): use it.
		return svc.Store.GetIssuer(ctx, key.DID)
	}
	if err != nil {
		return nil, err
	}
	logger.Info("created issuer", "id", rec.ID, "name", name)
	return rec, nil
}

// statusURLWarning explains why the status-list URLs in the badges this
// server issues will not be checkable by others, or returns "": they are
// http or name a loopback host while the server listens on a non-loopback
// address (so it is meant to be reached from elsewhere). Verifiers that
// fail closed (Blason's CLI, the 1EdTech validator) fetch only public https
// URLs, so such badges read "revocation not checked" everywhere else, and a
// revocation would go unnoticed.
func statusURLWarning(baseURL string, listen net.Addr) string {
	if ta, ok := listen.(*net.TCPAddr); !ok || ta.IP.IsLoopback() {
		return ""
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return "the status-list URLs are not valid URLs: set --public-url to this server's public https URL"
	}
	if isLoopbackHost(u.Hostname()) {
		return "the status-list URLs in issued badges name a loopback address, which no other machine can reach, while the server listens on a non-loopback address: set --public-url to this server's public https URL"
	}
	if u.Scheme != "https" {
		return "the status-list URLs in issued badges use http, which verifiers refuse, while the server listens on a non-loopback address: set --public-url to this server's public https URL"
	}
	return ""
}

// publicURLFor is the URL whose host the server answers for (with the
// loopback names): --public-url, else the did:web host, else the listen
// address (a server on 0.0.0.0 without --public-url answers loopback only).
func publicURLFor(issuerID, publicURL, addr string) string {
	if publicURL != "" {
		return publicURL
	}
	if strings.HasPrefix(issuerID, "did:web:") || strings.HasPrefix(issuerID, "https://") {
		return defaultBaseURL(issuerID, nil)
	}
	return "http://" + addr
}

func defaultBaseURL(issuerID string, a net.Addr) string {
	if host, ok := strings.CutPrefix(issuerID, "did:web:"); ok {
		host, _, _ = strings.Cut(host, ":")
		return "https://" + strings.ReplaceAll(host, "%3A", ":")
	}
	if rest, ok := strings.CutPrefix(issuerID, "https://"); ok {
		host, _, _ := strings.Cut(rest, "/")
		return "https://" + host
	}
	return "http://" + a.String()
}

// selfResolver answers for our own DID from the store (the document the
// server publishes, with every key rotation) and passes other DIDs on.
type selfResolver struct {
	id   string
	svc  *issuer.Service
	next did.Resolver
}

func (s selfResolver) Resolve(ctx context.Context, d string) (*did.Document, error) {
	if d == s.id {
		return s.svc.DIDDocument(ctx, s.id)
	}
	return s.next.Resolve(ctx, d)
}

// issuerURLPath is the form of an https issuer id's path: the pages serve
// the profile at /issuers/NAME.
var issuerURLPath = regexp.MustCompile(`^/issuers/[a-z0-9][a-z0-9-]{0,62}$`)

// checkIssuerURL accepts https://HOST[:PORT]/issuers/NAME: an https URL
// (no user, query or fragment) whose path the server serves the profile at.
func checkIssuerURL(u string) error {
	doc, fragment, err := did.HTTPSDocumentURL(u)
	if err != nil {
		return err
	}
	p, err := url.Parse(u)
	if err != nil || fragment != "" || doc != u || p.RawQuery != "" || !issuerURLPath.MatchString(p.Path) {
		return fmt.Errorf("%q must be https://HOST/issuers/NAME (NAME: lower-case letters, digits, hyphens), without query or fragment", u)
	}
	return nil
}

// selfProfile answers for our own https issuer's profile from the store (the
// document the pages serve at its id) and passes every other URL to the
// status lists' fetcher.
type selfProfile struct {
	issuer.OwnLists
	id string
}

func (s selfProfile) GetJSON(ctx context.Context, u string, accept ...string) ([]byte, error) {
	if u == s.id {
		return s.Service.ProfileDocument(ctx, s.id)
	}
	return s.OwnLists.GetJSON(ctx, u, accept...)
}

// localPreflight is the preflight of the commands that sign with a data
// directory's issuer, offline: a did:web issuer's DID document and an https
// issuer's profile are read from the store, as serve publishes them (an
// offline verifier could not find their keys at all).
func localPreflight(svc *issuer.Service, issuerID string) issuer.Preflight {
	var opts verifier.Options
	switch {
	case strings.HasPrefix(issuerID, "did:web:"):
		opts.DIDs = did.MultiResolver{"key": did.Offline, "jwk": did.Offline, "web": selfResolver{id: issuerID, svc: svc, next: did.Offline}}
	case strings.HasPrefix(issuerID, "https://"):
		opts.Fetcher = selfProfile{OwnLists: issuer.OwnLists{Service: svc}, id: issuerID}
	}
	return verifier.New(opts).Preflight()
}

// forgetters remove what other parts keep of a deleted account: its grants
// to apps, their tokens and its connections to other hosts (when the Open
// Badges API is on), and its roles in the issuers' workspaces.
func forgetters(ob *oauthdb.Store, ws *workspace.Service) []func(context.Context, *account.User) error {
	var out []func(context.Context, *account.User) error
	if ob != nil {
		out = append(out, func(ctx context.Context, u *account.User) error { return ob.DeleteUser(ctx, u.ID) })
	}
	if ws != nil {
		out = append(out, func(ctx context.Context, u *account.User) error { return ws.ForgetAccount(ctx, u.Email) })
	}
	return out
}
