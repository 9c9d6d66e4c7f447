package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/internal/store/walletdb"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/internal/workspace/workspacetest"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// With user accounts: a coordinator signs in with her account and gets the
// role 'blason member set' gave her in this issuer's workspace (none:
// refused; viewer: reads only; issuer: awards); a learner signed in to
// her account takes the claimed badge into her Blason wallet, once.
func TestAdminWithAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := workspacetest.New(t, "Laboratoire", "https://badges.lab.example", nil)
	db := sqldbtest.SQLite(t)
	us, err := userdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	wst, err := walletdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	users := &account.Users{Store: us, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
	// The wallet verifies with the issuer's own status lists, as serve does.
	v := verifier.New(verifier.Options{Fetcher: testissuer.Lists{Service: f.Issuer}})
	w := &wallet.Service{Store: wst, Verify: walletVerify(v), MasterKey: bytes.Repeat([]byte{5}, 32)}
	roles := map[string]Role{workspace.RoleAdmin: RoleAdmin, workspace.RoleIssuer: RoleIssuer, workspace.RoleViewer: RoleViewer}
	h := New(Config{Verifier: v, Users: users, Wallet: w, Admin: &AdminConfig{Workspace: f.WS, IssuerID: f.IssuerID,
		SignIn: func(context.Context, string) (*AdminUser, error) { return nil, account.ErrUnauthenticated },
		RoleOf: func(ctx context.Context, email string) (Role, error) {
			r, err := f.WS.RoleOf(ctx, f.IssuerID, email)
			return roles[r], err
		}}})
	a := &adminHarness{t: t, h: h, f: f}
	session := func(email string) string {
		u, err := users.Create(ctx, email, "a long enough password 42")
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := users.StartSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	type result struct {
		code           int
		text, location string
	}
	as := func(method, target, sess string, form url.Values) result {
		r := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if sess != "" {
			r.AddCookie(&http.Cookie{Name: SessionCookie, Value: sess})
		}
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, r)
		return result{rec.Code, visibleText(rec.Body.String()), rec.Header().Get("Location")}
	}
	alice := session("alice@lab.example.fr")
	if res := as("GET", "/admin?lang=fr", alice, nil); res.code != http.StatusForbidden || !strings.Contains(res.text, "Votre compte n'a pas de rôle") {
		t.Fatalf("no role: %d %s", res.code, res.text)
	}
	f.WS.SetMember(ctx, f.IssuerID, "alice@lab.example.fr", workspace.RoleViewer, "op")
	if res := as("GET", "/admin?lang=fr", alice, nil); res.code != 200 || strings.Contains(res.text, "Créer le badge") {
		t.Fatalf("viewer: %d %s", res.code, res.text)
	}
	// Signing out from the workspace ends the account's session.
	r := httptest.NewRequest("GET", "/admin", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: alice})
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, r)
	if !strings.Contains(rec.Body.String(), `action="/signout"`) {
		t.Fatal("the workspace's sign-out does not end the account's session")
	}
	ach := &workspace.Achievement{IssuerID: f.IssuerID, Lang: "fr", Name: "Sécurité",
		AchievementDetails: workspace.AchievementDetails{Description: "Formation sécurité.", Criteria: "Suivre la formation."}}
	if err := f.WS.CreateAchievement(ctx, ach, "op"); err != nil {
		t.Fatal(err)
	}
	one := url.Values{"email": {"lea@lab.example.fr"}, "name": {"Léa"}}
	if res := as("POST", "/admin/achievements/"+ach.ID+"/one", alice, one); res.code != http.StatusForbidden {
		t.Fatalf("viewer awards: %d", res.code)
	}
	f.WS.SetMember(ctx, f.IssuerID, "alice@lab.example.fr", workspace.RoleIssuer, "op")
	if res := as("POST", "/admin/achievements/"+ach.ID+"/one", alice, one); res.code != http.StatusSeeOther {
		t.Fatalf("issuer awards: %d %s", res.code, res.text)
	}
	if log, _ := f.Store.AuditLog(ctx, f.IssuerID, 5); log[0].Actor != "user:alice@lab.example.fr" || log[0].Action != "award.batch" {
		t.Fatalf("audit %+v", log[0])
	}
	// The learner.
	recs, _, _ := f.Store.SearchAwards(ctx, workspace.AwardQuery{IssuerID: f.IssuerID})
	mails, _ := f.Store.Mails(ctx, recs[0].CredentialID)
	i := strings.Index(mails[0].Body, "/claim/")
	token := strings.Fields(mails[0].Body[i+len("/claim/"):])[0]
	if res := as("GET", "/claim/"+token+"?lang=fr", "", nil); !strings.Contains(res.text, "connectez-vous ou créez un compte") {
		t.Fatalf("signed out: %s", res.text)
	}
	lea := session("lea@lab.example.fr")
	if res := as("GET", "/claim/"+token+"?lang=fr", lea, nil); !strings.Contains(res.text, "L'ajouter à mon portefeuille Blason") {
		t.Fatalf("signed in: %s", res.text)
	}
	res := as("POST", "/claim/"+token, lea, url.Values{"as": {"wallet"}})
	if res.code != http.StatusSeeOther || !strings.HasPrefix(res.location, "/wallet/c/crd_") {
		t.Fatalf("to wallet: %d %s %s", res.code, res.location, res.text)
	}
	u, _ := users.Store.UserByEmail(ctx, "lea@lab.example.fr")
	held, err := w.Credentials(ctx, u.ID)
	if err != nil || len(held) != 1 || !held[0].Verified || held[0].Source != "claim" || held[0].Warning != "" {
		t.Fatalf("wallet: %+v %v", held, err)
	}
	// Bound to her holder DID: the award now names the wallet's credential,
	// whose subject is her DID; the e-mail-bound one, never handed out, is
	// revoked with the reason.
	hk, _ := w.Holder(ctx, u.ID)
	now, _, _ := f.Store.SearchAwards(ctx, workspace.AwardQuery{IssuerID: f.IssuerID})
	bound, err := f.Issuer.Store.GetCredential(ctx, held[0].CredentialID)
	if err != nil || now[0].CredentialID != held[0].CredentialID || bound.RecipientDID != hk.DID || bound.Status != "active" ||
		!bytes.Contains(bound.Document, []byte(`"id":"`+hk.DID+`"`)) || bytes.Contains(bound.Document, []byte("identityHash")) {
		t.Fatalf("bound credential %+v %v (award %s, holder %s)", bound, err, now[0].CredentialID, hk.DID)
	}
	if old, _ := f.Issuer.Store.GetCredential(ctx, recs[0].CredentialID); old.Status != "revoked" {
		t.Fatalf("the e-mail-bound credential is %s", old.Status)
	}
	if res := as("POST", "/claim/"+token, lea, url.Values{"as": {"wallet"}}); res.code != http.StatusGone {
		t.Fatalf("second claim: %d", res.code)
	}
}
