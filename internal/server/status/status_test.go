package status

import "testing"

// TestETagMatches: If-None-Match uses the weak comparison (RFC 9110
// §13.1.2), and status lists carry weak ETags (each process sharing the
// database signs its own bytes for the same bits).
func TestETagMatches(t *testing.T) {
	t.Parallel()
	const etag = `W/"abc.0.7"`
	cases := []struct {
		header string
		want   bool
	}{
		{`W/"abc.0.7"`, true},
		{`"abc.0.7"`, true},
		{`"x", W/"abc.0.7"`, true},
		{`*`, true},
		{`W/"abc.0.6"`, false},
		{`"abc.1.7"`, false},
		{`abc.0.7`, false},
		{``, false},
	}
	for _, c := range cases {
		if got := etagMatches(c.header, etag); got != c.want {
			t.Errorf("etagMatches(%q, %q) = %v, want %v", c.header, etag, got, c.want)
		}
	}
}
