package sqldb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// TimeLayout is how times are written: UTC, fixed width, exact to the
// nanosecond, so that on SQLite (TEXT columns) they sort as text.
// PostgreSQL (timestamptz columns) parses the same text and keeps
// microseconds.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Time is a time.Time column on either engine; the zero time is NULL.
// Use it as a query argument (Time(t)) and as a Scan destination
// ((*Time)(&t)).
type Time time.Time

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return nil, nil
	}
	if y := tt.UTC().Year(); y < 1 || y > 9999 {
		return nil, fmt.Errorf("%w: time %v outside years 1-9999", ErrInvalid, tt)
	}
	return tt.UTC().Format(TimeLayout), nil
}

// Scan implements sql.Scanner: NULL is the zero time; SQLite gives text,
// PostgreSQL a time.Time. The result is UTC.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = Time{}
	case time.Time:
		*t = Time(v.UTC())
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("scan time: unexpected %T", src)
	}
	return nil
}

func (t *Time) parse(s string) error {
	v, err := time.Parse(TimeLayout, s)
	if err != nil {
		// Accept any RFC 3339 form too (rows written by hand or by an
		// older layout).
		if v, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Errorf("scan time %q: %w", s, err)
		}
	}
	*t = Time(v.UTC())
	return nil
}
