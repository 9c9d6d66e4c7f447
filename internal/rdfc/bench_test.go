package rdfc

import (
	"strconv"
	"testing"
)

// badgeDataset builds an Open Badges 3.0-shaped dataset: a credential with
// issuer profile, subject, achievement, criteria, image and proof graph,
// about 40 quads and 8 blank nodes, plus extra alignment blank nodes with 4
// quads each.
func badgeDataset(alignments int) []Quad {
	const (
		ob   = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
		cred = "https://www.w3.org/2018/credentials#"
		sch  = "https://schema.org/"
		rdf  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
		xsd  = "http://www.w3.org/2001/XMLSchema#"
		sec  = "https://w3id.org/security#"
	)
	iri := func(v string) Term { return Term{Kind: IRI, Value: v} }
	bn := func(v string) Term { return Term{Kind: BlankNode, Value: v} }
	lit := func(v string) Term { return Term{Kind: Literal, Value: v} }
	typed := func(v, dt string) Term { return Term{Kind: Literal, Value: v, Datatype: dt} }
	var qs []Quad
	add := func(s Term, pred string, o Term) { qs = append(qs, Quad{s, iri(pred), o, Term{}}) }
	addG := func(s Term, pred string, o, g Term) { qs = append(qs, Quad{s, iri(pred), o, g}) }

	c := iri("urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58")
	add(c, rdf+"type", iri(cred+"VerifiableCredential"))
	add(c, rdf+"type", iri(ob+"OpenBadgeCredential"))
	add(c, sch+"name", lit("Teamwork Badge"))
	add(c, cred+"issuer", iri("https://example.edu/issuers/565049"))
	add(c, cred+"validFrom", typed("2024-01-01T00:00:00Z", xsd+"dateTime"))
	add(c, cred+"credentialSubject", bn("subj"))
	add(c, sec+"proof", bn("proofgraph"))
	is := iri("https://example.edu/issuers/565049")
	add(is, rdf+"type", iri(ob+"Profile"))
	add(is, sch+"name", lit("Example University"))
	add(is, ob+"image", bn("logo"))
	add(bn("logo"), rdf+"type", iri(ob+"Image"))
	add(bn("logo"), "https://purl.imsglobal.org/spec/vc/ob/vocab.html#caption", lit("Logo\nof the university"))
	add(bn("subj"), rdf+"type", iri(ob+"AchievementSubject"))
	add(bn("subj"), ob+"identifier", bn("ident"))
	add(bn("ident"), rdf+"type", iri(ob+"IdentityObject"))
	add(bn("ident"), ob+"hashed", typed("true", xsd+"boolean"))
	add(bn("ident"), ob+"identityHash", lit("sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5"))
	add(bn("ident"), ob+"identityType", iri(ob+"emailAddress"))
	add(bn("ident"), ob+"salt", lit("not-a-real-salt"))
	add(bn("subj"), ob+"achievement", bn("ach"))
	add(bn("subj"), ob+"result", bn("result"))
	add(bn("result"), rdf+"type", iri(ob+"Result"))
	add(bn("result"), ob+"value", lit("A"))
	a := bn("ach")
	add(a, rdf+"type", iri(ob+"Achievement"))
	add(a, sch+"name", lit("Teamwork"))
	add(a, sch+"description", lit("This badge recognizes the development of the capacity to collaborate within a group environment.\t(tab)"))
	add(a, ob+"criteria", bn("crit"))
	add(bn("crit"), ob+"narrative", lit("Team members are nominated for this badge by their peers and recognized upon review by Example Corp management."))
	add(a, ob+"image", iri("https://example.com/achievements/badge.png"))
	add(a, ob+"achievementType", lit("Badge"))
	add(a, ob+"creator", is)
	add(a, ob+"tag", lit("teamwork"))
	add(a, ob+"tag", lit("collaboration"))
	for i := range alignments {
		al := bn("align" + strconv.Itoa(i))
		add(a, ob+"alignment", al)
		add(al, rdf+"type", iri(ob+"Alignment"))
		add(al, ob+"targetName", lit("Target "+strconv.Itoa(i)))
		add(al, ob+"targetUrl", iri("https://example.org/frameworks/ccss/"+strconv.Itoa(i)))
	}
	g := bn("proofgraph")
	p := bn("proof")
	addG(p, rdf+"type", iri(sec+"DataIntegrityProof"), g)
	addG(p, sec+"cryptosuite", typed("eddsa-rdfc-2022", sec+"cryptosuiteString"), g)
	addG(p, "http://purl.org/dc/terms/created", typed("2024-01-01T00:00:00Z", xsd+"dateTime"), g)
	addG(p, sec+"proofPurpose", iri(sec+"assertionMethod"), g)
	addG(p, sec+"verificationMethod", iri("https://example.edu/issuers/565049#key-1"), g)
	addG(p, sec+"proofValue", typed("z58DAdFfa9SkqZMVPxAQpic7ndSayn1PzZs6ZjWp1CktyGesjuTSwRdoWhAfGFCF5bppETSTojQCrfFPP2oumHKtz", sec+"multibase"), g)
	return qs
}

func TestBadgeDataset(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 100} {
		q := badgeDataset(n)
		out, issued, err := Canonicalize(q, nil)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseNQuads(out)
		if err != nil || len(back) != len(q) {
			t.Fatalf("re-parse: %d quads, %v", len(back), err)
		}
		t.Logf("%d alignments: %d quads, %d blank nodes", n, len(q), len(issued))
	}
}

func BenchmarkCanonicalize(b *testing.B) {
	for _, bc := range []struct {
		name       string
		alignments int
	}{{"badge", 0}, {"badge+100alignments", 100}} {
		q := badgeDataset(bc.alignments)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Canonicalize(q, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseNQuads(b *testing.B) {
	out, _, err := Canonicalize(badgeDataset(0), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		if _, err := ParseNQuads(out); err != nil {
			b.Fatal(err)
		}
	}
}
