package main

import (
	"bytes"
	"strings"
	"testing"
)

// The bar stays out of pipes and log files, and on a terminal redraws at
// most once per percent: 10,000 rows are not 10,000 redraws.
func TestProgressBar(t *testing.T) {
	var piped bytes.Buffer
	b := newProgressBar(&piped)
	for i := 1; i <= 10000; i++ {
		b.set(i, 10000)
	}
	b.done()
	if piped.Len() != 0 {
		t.Fatalf("drawn into a pipe: %q", piped.String()[:min(80, piped.Len())])
	}

	var term bytes.Buffer
	b = &progressBar{w: &term, last: -1} // as newProgressBar makes it on a terminal
	for i := 1; i <= 10000; i++ {
		b.set(i, 10000)
	}
	b.done()
	draws := strings.Count(term.String(), "\r")
	if draws < 100 || draws > 101 {
		t.Fatalf("%d redraws for 10,000 rows, want one per percent", draws)
	}
	if !strings.HasSuffix(term.String(), "\r["+strings.Repeat("#", 30)+"] 10000/10000\n") {
		t.Fatalf("last drawing: %q", term.String()[max(0, term.Len()-60):])
	}
}
