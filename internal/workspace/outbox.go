package workspace

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Mailer sends one e-mail. An error wrapping ErrPermanent means the relay
// refused this message for good (an unknown mailbox); any other error is
// temporary (the relay is down, busy, or the network is) and the message
// is tried again later.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// ErrPermanent marks a Mailer error that retrying will not fix.
var ErrPermanent = errors.New("the mail relay refused this message")

// Outbox delivers the queued e-mails: every pass sends the mails due,
// and a mail that fails is tried again later (30 s, then twice as long
// each time, at most an hour apart; a refused one daily). The queue is
// in the Store, so a restart loses nothing; a pass that finds the relay
// down stops at the first failure and leaves the other mails due.
type Outbox struct {
	Store  Store
	Mailer Mailer
	Now    func() time.Time
	// Batch is how many mails one pass takes; zero means 100.
	Batch int
	// Lease is how long a pass holds the mails it took (another process
	// sharing the database does not send them meanwhile); zero means 5 min.
	Lease time.Duration
}

// Backoff is the wait before attempt n+1 after n failed attempts.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// Pass sends the mails due now. It returns how many were sent; err is the
// relay's error when a pass stopped because the relay failed.
func (o *Outbox) Pass(ctx context.Context) (sent int, err error) {
	n := o.Batch
	if n <= 0 {
		n = 100
	}
	lease := o.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	mails, err := o.Store.LeaseMail(ctx, o.now(), lease, n)
	if err != nil {
		return 0, err
	}
	for i, m := range mails {
		serr := o.Mailer.Send(ctx, m.To, m.Subject, m.Body)
		if serr == nil {
			if err := o.Store.MailSent(ctx, m.ID, o.now()); err != nil {
				return sent, err
			}
			sent++
			continue
		}
		next := o.now().Add(Backoff(m.Attempts + 1))
		if errors.Is(serr, ErrPermanent) {
			next = o.now().Add(24 * time.Hour)
		}
		if err := o.Store.MailFailed(ctx, m.ID, next, clipErr(serr)); err != nil {
			return sent, err
		}
		if errors.Is(serr, ErrPermanent) {
			continue
		}
		// The relay is down or refusing for now: the rest wait for the
		// next pass instead of failing one by one.
		for _, rest := range mails[i+1:] {
			if err := o.Store.ReleaseMail(ctx, rest.ID, o.now()); err != nil {
				return sent, err
			}
		}
		return sent, fmt.Errorf("mail relay: %w", serr)
	}
	return sent, nil
}

// Run makes passes every interval until ctx ends. onErr, if set, hears of
// each failed pass (to log it).
func (o *Outbox) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			sent, err := o.Pass(ctx)
			if err != nil && onErr != nil && ctx.Err() == nil {
				onErr(err)
			}
			// A full batch sent: more may be due at once.
			if err != nil || sent < max(o.Batch, 100) {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func clipErr(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
