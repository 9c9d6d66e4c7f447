package dataintegrity

import "testing"

// TestIRIForbiddenTable: the table absoluteIRI reads forbids exactly the
// bytes of the N-Quads IRIREF production's exclusions, as the switch it
// replaced did.
func TestIRIForbiddenTable(t *testing.T) {
	t.Parallel()
	for c := 0; c < 256; c++ {
		ch := byte(c)
		want := ch <= 0x20 || ch == '<' || ch == '>' || ch == '"' || ch == '{' || ch == '}' || ch == '|' || ch == '^' || ch == '`' || ch == '\\'
		if iriForbidden[ch] != want {
			t.Errorf("byte %#x: forbidden %v, want %v", c, iriForbidden[ch], want)
		}
		if got := absoluteIRI("urn:a" + string([]byte{ch}) + "b"); got == want {
			t.Errorf("absoluteIRI with byte %#x = %v", c, got)
		}
	}
}
