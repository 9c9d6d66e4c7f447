package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// errOffline is what a status fetch gets when verify fetches nothing.
var errOffline = errors.New("not fetched (offline)")

// localStatus serves, for `blason verify --data DIR`, the status lists of
// the issuers held in a data directory: read from the issuer's database and
// signed with its key exactly as `blason serve` publishes them (the same
// path as the server's own, issuer.OwnLists), so a badge issued by a server on
// this machine can be checked without reaching it. Any other URL goes to
// next (nil: offline). The verifier still checks the list's proof and that
// its issuer is the credential's.
type localStatus struct {
	svc  *issuer.Service // Store and MasterKey; BaseURL is set per URL
	next verifier.Fetcher
}

// local returns a Service publishing at the URL's base when the URL names
// a list held in the store.
func (l *localStatus) local(ctx context.Context, u string) (*issuer.Service, bool, error) {
	base, id, _, ok := issuer.ParseStatusListURL(u)
	if !ok {
		return nil, false, nil
	}
	if _, err := l.svc.Store.GetStatusList(ctx, id); errors.Is(err, issuer.ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	// The list's id inside the signed document is then the URL asked for.
	return &issuer.Service{Store: l.svc.Store, MasterKey: l.svc.MasterKey, BaseURL: base}, true, nil
}

// IsLocal implements verifier.LocalFetcher: lists read from the store are
// current and are not cached.
func (l *localStatus) IsLocal(u string) bool {
	_, ok, _ := l.local(context.Background(), u)
	return ok
}

func (l *localStatus) GetJSON(ctx context.Context, u string, accept ...string) ([]byte, error) {
	svc, ok, err := l.local(ctx, u)
	if err != nil {
		return nil, err
	}
	if ok {
		return issuer.OwnLists{Service: svc}.GetJSON(ctx, u, accept...)
	}
	if l.next == nil {
		return nil, fmt.Errorf("%w; the list is not in the data directory", errOffline)
	}
	return l.next.GetJSON(ctx, u, accept...)
}

// loopbackStatus sends status-list URLs whose host is a loopback address
// to loop (http allowed, loopback only) and every other URL to next (nil:
// offline). Used only with --allow-loopback-status: the default client
// refuses loopback and http, so that a badge cannot make a verifier probe
// its own machine.
type loopbackStatus struct {
	loop, next verifier.Fetcher
}

func (l loopbackStatus) GetJSON(ctx context.Context, raw string, accept ...string) ([]byte, error) {
	if u, err := url.Parse(raw); err == nil && isLoopbackHost(u.Hostname()) {
		return l.loop.GetJSON(ctx, raw, accept...)
	}
	if l.next == nil {
		return nil, errOffline
	}
	return l.next.GetJSON(ctx, raw, accept...)
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// newLoopbackClient is the hardened client (timeouts, size caps, content
// types) allowed http and non-public addresses, with a dialer that
// connects to loopback addresses only, also after a redirect or for a
// name such as localhost.
func newLoopbackClient() *fetch.Client {
	var d net.Dialer
	return fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true,
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil || !ip.Unmap().IsLoopback() {
				return nil, fmt.Errorf("%s is not a loopback address (--allow-loopback-status reaches this machine only)", host)
			}
			return d.DialContext(ctx, network, address)
		}})
}

// openStateReadOnly opens an existing issuer state for reading status
// lists: unlike openState it creates nothing (no directory, no master key,
// no database), so a mistyped --data is an error, not a new empty issuer.
func openStateReadOnly(ctx context.Context, f stateFlags) (*state, error) {
	dir := *f.data
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("data directory: %s is not a directory", dir)
		}
	}
	if *f.database == "" {
		if _, err := os.Stat(filepath.Join(dir, "blason.db")); err != nil {
			return nil, fmt.Errorf("%s holds no issuer database (blason.db): %w", dir, err)
		}
	}
	if _, env := os.LookupEnv("BLASON_MASTER_KEY"); !env {
		mk := *f.masterKeyFile
		if mk == "" {
			if dir == "" {
				return nil, errors.New("give --data DIR or --master-key-file (the issuer's lists are signed with its key)")
			}
			mk = filepath.Join(dir, "master.key")
		}
		if _, err := os.Stat(mk); err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
	}
	return openState(ctx, f)
}
