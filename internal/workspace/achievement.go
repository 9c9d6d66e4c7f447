package workspace

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/ob2"
)

// Achievement is one entry of the catalogue: what a badge says was
// achieved. Its OB 3.0 form (OB3) goes into every credential awarded for it.
type Achievement struct {
	ID       string // a UUID; the OB 3.0 id is "urn:uuid:" + ID
	IssuerID string
	// Lang is the language the texts are written in (BCP 47: "fr", "en").
	Lang string
	// Group links language variants: achievements of one group are the
	// same achievement in several languages (OB 3.0 `related`, each with
	// its `inLanguage`).
	Group string
	Name  string
	AchievementDetails
	Archived  bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AchievementDetails are the fields kept as one JSON document by stores.
type AchievementDetails struct {
	Description     string              `json:"description"`
	Criteria        string              `json:"criteria,omitempty"`    // narrative (Markdown allowed by OB 3.0)
	CriteriaURL     string              `json:"criteriaUrl,omitempty"` // criteria.id
	AchievementType string              `json:"achievementType,omitempty"`
	ImageID         string              `json:"imageId,omitempty"`  // an image stored by the workspace
	ImageURL        string              `json:"imageUrl,omitempty"` // or an image elsewhere (an imported badge class's)
	Alignments      []Alignment         `json:"alignments,omitempty"`
	Tags            []string            `json:"tags,omitempty"`
	Results         []ResultDescription `json:"results,omitempty"`
	// Source says where an imported achievement came from (an OB 2.0
	// badge class id).
	Source string `json:"source,omitempty"`
	// URI is the OB 3.0 id, fixed at creation: the public page's https
	// URL (PUBLIC_URL/achievements/ID) when the server has an https public
	// URL, so that the id in every badge leads to the achievement; else
	// empty, and the id is urn:uuid:ID.
	URI string `json:"uri,omitempty"`
}

// Alignment ties an achievement to a framework entry (an ESCO skill, an
// RNCP certification): OB 3.0 App. B.1.4 Alignment.
type Alignment struct {
	TargetName        string `json:"targetName"`
	TargetURL         string `json:"targetUrl"`
	TargetDescription string `json:"targetDescription,omitempty"`
	TargetFramework   string `json:"targetFramework,omitempty"`
	TargetCode        string `json:"targetCode,omitempty"`
	TargetType        string `json:"targetType,omitempty"`
}

// ResultDescription describes a result a recipient may get (OB 3.0
// ResultDescription): a grade, a score, a mastery level.
type ResultDescription struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	ResultType    string   `json:"resultType"`
	AllowedValues []string `json:"allowedValues,omitempty"`
}

// OB 3.0 ResultType enumeration (App. B.1.1 ResultType); ext: values are
// allowed by the spec.
var resultTypes = map[string]bool{"GradePointAverage": true, "LetterGrade": true, "Percent": true, "PerformanceLevel": true,
	"PredictedScore": true, "RawScore": true, "Result": true, "RubricCriterion": true, "RubricCriterionLevel": true,
	"RubricScore": true, "ScaledScore": true, "Status": true}

// Field limits: generous for people, bounded for storage and badges.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 4000
	MaxCriteriaLen    = 8000
	MaxTags           = 30
	MaxAlignments     = 30
	MaxResults        = 20
)

// FieldError names the field of an input that is wrong.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, a...)}
}

// OB3ID is the achievement's OB 3.0 id.
func (a *Achievement) OB3ID() string {
	if a.URI != "" {
		return a.URI
	}
	return "urn:uuid:" + a.ID
}

// Validate checks the fields a person fills in and normalises them
// (trimmed texts, lower-case language, no empty tags).
func (a *Achievement) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Description = strings.TrimSpace(a.Description)
	a.Criteria = strings.TrimSpace(a.Criteria)
	a.CriteriaURL = strings.TrimSpace(a.CriteriaURL)
	a.Lang = strings.ToLower(strings.TrimSpace(a.Lang))
	switch {
	case a.IssuerID == "":
		return fieldErr("issuer", "is required")
	case a.Name == "":
		return fieldErr("name", "is required")
	case utf8.RuneCountInString(a.Name) > MaxNameLen:
		return fieldErr("name", "is longer than %d characters", MaxNameLen)
	case a.Description == "":
		return fieldErr("description", "is required")
	case utf8.RuneCountInString(a.Description) > MaxDescriptionLen:
		return fieldErr("description", "is longer than %d characters", MaxDescriptionLen)
	case a.Criteria == "" && a.CriteriaURL == "":
		// OB 3.0 App. B.1.1 Criteria: "at least one of id or narrative".
		return fieldErr("criteria", "is required (a text saying what was required, or the address of a page that does)")
	case utf8.RuneCountInString(a.Criteria) > MaxCriteriaLen:
		return fieldErr("criteria", "is longer than %d characters", MaxCriteriaLen)
	case a.Lang != "en" && a.Lang != "fr":
		return fieldErr("lang", "must be fr or en, not %q", a.Lang)
	case len(a.Tags) > MaxTags:
		return fieldErr("tags", "more than %d tags", MaxTags)
	case len(a.Alignments) > MaxAlignments:
		return fieldErr("alignments", "more than %d alignments", MaxAlignments)
	case len(a.Results) > MaxResults:
		return fieldErr("results", "more than %d result descriptions", MaxResults)
	}
	if a.CriteriaURL != "" && !isHTTPURL(a.CriteriaURL) {
		return fieldErr("criteriaUrl", "%q is not an http(s) address", a.CriteriaURL)
	}
	if a.ImageURL != "" && !isHTTPURL(a.ImageURL) && !strings.HasPrefix(a.ImageURL, "data:image/") {
		return fieldErr("imageUrl", "%q is not an http(s) or data: image address", a.ImageURL)
	}
	tags := a.Tags[:0]
	for _, t := range a.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	a.Tags = tags
	for i, al := range a.Alignments {
		f := fmt.Sprintf("alignments[%d]", i+1)
		if strings.TrimSpace(al.TargetName) == "" {
			return fieldErr(f+".targetName", "is required")
		}
		// App. B.1.4: targetUrl is required and is a URL.
		if !isHTTPURL(al.TargetURL) {
			return fieldErr(f+".targetUrl", "%q is not an http(s) address (the framework entry, e.g. an ESCO skill's page)", al.TargetURL)
		}
		switch al.TargetType {
		case "", "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion", "CFRubricCriterionLevel", "CTDL":
		default:
			if !strings.HasPrefix(al.TargetType, "ext:") {
				return fieldErr(f+".targetType", "%q is not an OB 3.0 alignment target type", al.TargetType)
			}
		}
	}
	seen := map[string]bool{}
	for i, r := range a.Results {
		f := fmt.Sprintf("results[%d]", i+1)
		if strings.TrimSpace(r.Name) == "" {
			return fieldErr(f+".name", "is required")
		}
		if !resultTypes[r.ResultType] && !strings.HasPrefix(r.ResultType, "ext:") {
			return fieldErr(f+".resultType", "%q is not an OB 3.0 result type", r.ResultType)
		}
		if r.ID == "" {
			a.Results[i].ID = "urn:uuid:" + newID()
		}
		if seen[a.Results[i].ID] {
			return fieldErr(f+".id", "is used twice")
		}
		seen[a.Results[i].ID] = true
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// OB3 is the achievement as an OB 3.0 Achievement (App. B.1.1) for
// issuer.Award. imageURL is where its image is served (empty: none or
// ImageURL); variants are the other achievements of its group, listed in
// `related` with their language (OB 3.0 Related: "the related achievement
// [...] for example in a different language").
func (a *Achievement) OB3(imageURL string, variants []*Achievement) map[string]any {
	crit := map[string]any{}
	if a.Criteria != "" {
		crit["narrative"] = a.Criteria
	}
	if a.CriteriaURL != "" {
		crit["id"] = a.CriteriaURL
	}
	m := map[string]any{
		"id":          a.OB3ID(),
		"type":        []any{"Achievement"},
		"name":        a.Name,
		"description": a.Description,
		"criteria":    crit,
		"inLanguage":  a.Lang,
	}
	if a.AchievementType != "" {
		m["achievementType"] = a.AchievementType
	}
	if imageURL == "" {
		imageURL = a.ImageURL
	}
	if imageURL != "" {
		m["image"] = map[string]any{"id": imageURL, "type": "Image"}
	}
	if len(a.Tags) > 0 {
		tags := make([]any, len(a.Tags))
		for i, t := range a.Tags {
			tags[i] = t
		}
		m["tag"] = tags
	}
	if len(a.Alignments) > 0 {
		var al []any
		for _, x := range a.Alignments {
			o := map[string]any{"type": []any{"Alignment"}, "targetName": x.TargetName, "targetUrl": x.TargetURL}
			for k, v := range map[string]string{"targetDescription": x.TargetDescription, "targetFramework": x.TargetFramework,
				"targetCode": x.TargetCode, "targetType": x.TargetType} {
				if v != "" {
					o[k] = v
				}
			}
			al = append(al, o)
		}
		m["alignment"] = al
	}
	if len(a.Results) > 0 {
		var rs []any
		for _, r := range a.Results {
			o := map[string]any{"id": r.ID, "type": []any{"ResultDescription"}, "name": r.Name, "resultType": r.ResultType}
			if len(r.AllowedValues) > 0 {
				vals := make([]any, len(r.AllowedValues))
				for i, v := range r.AllowedValues {
					vals[i] = v
				}
				o["allowedValue"] = vals
			}
			rs = append(rs, o)
		}
		m["resultDescription"] = rs
	}
	var rel []any
	for _, v := range variants {
		if v.ID == a.ID {
			continue
		}
		rel = append(rel, map[string]any{"id": v.OB3ID(), "type": []any{"Related"}, "inLanguage": v.Lang})
	}
	if len(rel) > 0 {
		m["related"] = rel
	}
	return m
}

// FromOB3 reads an OB 3.0 Achievement (as `blason issue --achievement`
// takes it) into a new catalogue entry for issuerID. Its id is not kept:
// the catalogue names its achievements itself, and keeps it as the Source
// (so that importing the same file twice is recognised).
func FromOB3(doc map[string]any, issuerID string) (*Achievement, error) {
	a := &Achievement{IssuerID: issuerID}
	a.Source, _ = doc["id"].(string)
	a.Name, _ = doc["name"].(string)
	a.Description, _ = doc["description"].(string)
	a.AchievementType, _ = doc["achievementType"].(string)
	a.Lang, _ = doc["inLanguage"].(string)
	if a.Lang == "" {
		a.Lang = "en"
	}
	if c, ok := doc["criteria"].(map[string]any); ok {
		a.Criteria, _ = c["narrative"].(string)
		a.CriteriaURL, _ = c["id"].(string)
	}
	switch im := doc["image"].(type) {
	case string:
		a.ImageURL = im
	case map[string]any:
		a.ImageURL, _ = im["id"].(string)
	}
	for _, t := range asList(doc["tag"]) {
		if s, ok := t.(string); ok {
			a.Tags = append(a.Tags, s)
		}
	}
	a.Alignments = alignments(doc["alignment"])
	for _, x := range asList(doc["resultDescription"]) {
		o, _ := x.(map[string]any)
		var r ResultDescription
		r.ID, _ = o["id"].(string)
		r.Name, _ = o["name"].(string)
		r.ResultType, _ = o["resultType"].(string)
		for _, v := range asList(o["allowedValue"]) {
			if s, ok := v.(string); ok {
				r.AllowedValues = append(r.AllowedValues, s)
			}
		}
		a.Results = append(a.Results, r)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// FromOB2 reads an Open Badges 2.0 BadgeClass (from Open Badge Factory or
// any OB 2.0 issuer) into a new catalogue entry for issuerID: name,
// description, criteria, image, tags and alignments carry over; the badge
// class id is kept as the Source. An image given as a data: URI is
// returned decoded (to be checked and stored); an image URL is kept as it
// is (not fetched).
func FromOB2(doc map[string]any, issuerID, lang string) (*Achievement, []byte, error) {
	bc, err := ob2.ParseBadgeClass(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	a := &Achievement{IssuerID: issuerID, Lang: lang, Name: bc.Name}
	a.Description = bc.Description
	a.Source = bc.ID
	if isHTTPURL(bc.Criteria) {
		a.CriteriaURL = bc.Criteria
	} else {
		a.Criteria = bc.Criteria
	}
	if c, ok := doc["criteria"].(map[string]any); ok {
		if id, _ := c["id"].(string); isHTTPURL(id) {
			a.CriteriaURL = id
		}
	}
	var img []byte
	if strings.HasPrefix(bc.Image, "data:") {
		if img, err = decodeDataURI(bc.Image); err != nil {
			return nil, nil, fieldErr("image", "%v", err)
		}
	} else {
		a.ImageURL = bc.Image
	}
	for _, t := range asList(doc["tags"]) {
		if s, ok := t.(string); ok {
			a.Tags = append(a.Tags, s)
		}
	}
	// OB 2.0 AlignmentObject: targetName, targetUrl, targetDescription,
	// targetFramework, targetCode: the same names as OB 3.0's (which adds
	// targetType).
	a.Alignments = alignments(doc["alignment"])
	if err := a.Validate(); err != nil {
		return nil, nil, err
	}
	return a, img, nil
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return nil
	default:
		return []any{x}
	}
}

// decodeDataURI decodes a base64 data: URI (the form OB 2.0 baked images
// and exports use).
func decodeDataURI(s string) ([]byte, error) {
	head, data, ok := strings.Cut(strings.TrimPrefix(s, "data:"), ",")
	if !ok || !strings.HasSuffix(head, ";base64") {
		return nil, fmt.Errorf("a data: image must be base64")
	}
	if len(data) > base64.StdEncoding.EncodedLen(MaxImageBytes) {
		return nil, fmt.Errorf("the image is larger than %d bytes", MaxImageBytes)
	}
	return base64.StdEncoding.DecodeString(data)
}

// alignments reads an OB 3.0 Alignment or OB 2.0 AlignmentObject list (one
// object or an array): their members have the same names.
func alignments(v any) []Alignment {
	var out []Alignment
	for _, x := range asList(v) {
		o, _ := x.(map[string]any)
		var al Alignment
		al.TargetName, _ = o["targetName"].(string)
		al.TargetURL, _ = o["targetUrl"].(string)
		al.TargetDescription, _ = o["targetDescription"].(string)
		al.TargetFramework, _ = o["targetFramework"].(string)
		al.TargetCode, _ = o["targetCode"].(string)
		al.TargetType, _ = o["targetType"].(string)
		out = append(out, al)
	}
	return out
}
