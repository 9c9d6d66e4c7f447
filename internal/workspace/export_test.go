package workspace

import "testing"

func TestCSVSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "@SUM": "'@SUM", "-2": "'-2", "Élodie": "Élodie", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
