package workspace_test

import (
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/workspace"
)

// A duplicate row names the line the person first appears on, in French
// as in English (the French text used to drop it).
func TestProblemTextNamesTheEarlierLine(t *testing.T) {
	sheet, err := awardcsv.Parse(strings.NewReader("email;name\nada@example.org;Ada\nbob@example.org;Bob\nADA@example.org;Ada bis\n"))
	if err != nil {
		t.Fatal(err)
	}
	var dup *awardcsv.Problem
	for i := range sheet.Problems {
		if sheet.Problems[i].Code == "row.duplicate" {
			dup = &sheet.Problems[i]
		}
	}
	if dup == nil || dup.Line != 4 || dup.Earlier != 2 {
		t.Fatalf("problems %+v: want a duplicate on line 4 of line 2", sheet.Problems)
	}
	for l, want := range map[i18n.Lang]string{i18n.EN: "is already on line 2", i18n.FR: "figure déjà à la ligne 2"} {
		if got := workspace.ProblemText(l, *dup); !strings.Contains(got, want) {
			t.Errorf("%s: %q does not say %q", l, got, want)
		}
	}
}
