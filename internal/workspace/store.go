package workspace

import (
	"context"
	"time"
)

// Store is the workspace's persistent state. Implementation:
// internal/store/workspacedb (SQLite or PostgreSQL through sqldb).
type Store interface {
	// GetProfile returns ErrNotFound when the issuer has no workspace profile.
	GetProfile(ctx context.Context, issuerID string) (*Profile, error)
	PutProfile(ctx context.Context, p *Profile) error

	// PutImage stores an image checked by CheckImage; GetImage returns ErrNotFound.
	PutImage(ctx context.Context, img *Image) error
	GetImage(ctx context.Context, id string) (*Image, error)

	// CreateAchievement returns ErrExists for a taken id.
	CreateAchievement(ctx context.Context, a *Achievement) error
	// UpdateAchievement stores a.Version+1 if the stored version is still
	// a.Version, else ErrConflict (someone else edited it meanwhile).
	UpdateAchievement(ctx context.Context, a *Achievement) error
	GetAchievement(ctx context.Context, id string) (*Achievement, error)
	// ListAchievements returns an issuer's achievements by name.
	ListAchievements(ctx context.Context, issuerID string, archived bool) ([]*Achievement, error)
	// Variants returns the achievements of a variant group.
	Variants(ctx context.Context, group string) ([]*Achievement, error)

	// AwardsByKey returns, of keys, those already recorded for the achievement.
	AwardsByKey(ctx context.Context, achievementID string, keys []string) (map[string]*AwardRecord, error)
	// AddPending records awards about to be issued, all or nothing;
	// ErrExists if one's (achievement, key) is already recorded.
	AddPending(ctx context.Context, recs []*AwardRecord) error
	// Pending returns an achievement's awards recorded but not yet issued
	// (an import interrupted between the two steps).
	Pending(ctx context.Context, achievementID string) ([]*AwardRecord, error)
	// Complete marks awards issued and stores their claims and e-mails, in
	// one transaction.
	Complete(ctx context.Context, recs []*AwardRecord, claims []*Claim, mails []*Mail) error
	// DropPending forgets pending awards whose credential was never issued.
	DropPending(ctx context.Context, credentialIDs []string) error
	GetAward(ctx context.Context, credentialID string) (*AwardRecord, error)
	// Rebind makes an award and its claims name the credential that
	// replaced theirs (a badge bound to its holder's DID at claim).
	Rebind(ctx context.Context, oldCredentialID, newCredentialID string) error
	SearchAwards(ctx context.Context, q AwardQuery) ([]*AwardRecord, int, error)

	// GetClaim returns ErrNotFound for an unknown token hash.
	GetClaim(ctx context.Context, tokenHash string) (*Claim, error)
	// UseClaim marks a claim used by holder, atomically: ErrClaim if it
	// was already used or has expired at at.
	UseClaim(ctx context.Context, tokenHash, holder string, at time.Time) error

	EnqueueMail(ctx context.Context, m *Mail) error
	// LeaseMail returns up to n unsent mails due at now and pushes their
	// next attempt to now+lease, so that another process does not send
	// them at the same time.
	LeaseMail(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*Mail, error)
	MailSent(ctx context.Context, id int64, at time.Time) error
	MailFailed(ctx context.Context, id int64, next time.Time, reason string) error
	// ReleaseMail gives back a leased mail that was not attempted.
	ReleaseMail(ctx context.Context, id int64, next time.Time) error
	Outbox(ctx context.Context) (OutboxStats, error)
	// Mails returns the mails about a credential, oldest first.
	Mails(ctx context.Context, credentialID string) ([]*Mail, error)

	// PutMember sets a member's role; GetMember returns ErrNotFound.
	PutMember(ctx context.Context, m *Member) error
	GetMember(ctx context.Context, issuerID, email string) (*Member, error)
	DeleteMember(ctx context.Context, issuerID, email string) error
	Members(ctx context.Context, issuerID string) ([]*Member, error)
	// MembershipsOf returns the address's roles in every workspace.
	MembershipsOf(ctx context.Context, email string) ([]*Member, error)

	Audit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, issuerID string, limit int) ([]AuditEntry, error)
}

// ErrConflict: the record changed since it was read.
var ErrConflict = errorString("the record was changed by someone else meanwhile; reload and try again")

type errorString string

func (e errorString) Error() string { return string(e) }

// AwardRecord is one award in the workspace: who, which achievement, which
// credential, where it came from.
type AwardRecord struct {
	CredentialID  string
	IssuerID      string
	AchievementID string
	// RowKey identifies the recipient for this achievement (a hash of the
	// normalised e-mail address): the same person is awarded an
	// achievement once, however often a file is imported.
	RowKey    string
	Name      string
	Email     string
	Lang      string
	State     string // pending, issued
	Source    string // "csv:FILE" or "single"
	Line      int    // the CSV line, for a CSV award
	CreatedAt time.Time
	IssuedAt  time.Time
}

// Award states.
const (
	AwardPending = "pending"
	AwardIssued  = "issued"
)

// AwardQuery searches awards; empty fields match all.
type AwardQuery struct {
	IssuerID      string
	AchievementID string
	// Recipient matches a substring of the name or e-mail, case-insensitively.
	Recipient     string
	From, Until   time.Time
	Offset, Limit int
}

// Claim is a claim link's record: the token is never stored, only its
// SHA-256.
type Claim struct {
	TokenHash    string
	CredentialID string
	ExpiresAt    time.Time
	ClaimedAt    time.Time
	Holder       string
}

// Mail is one e-mail in the outbox.
type Mail struct {
	ID           int64
	To           string
	Subject      string
	Body         string
	CredentialID string
	Attempts     int
	NextAt       time.Time
	SentAt       time.Time
	LastError    string
	CreatedAt    time.Time
}

// OutboxStats counts the outbox.
type OutboxStats struct {
	Waiting, Sent, Failing int
}
