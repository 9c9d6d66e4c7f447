package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/issuer"
)

// Service applies the workspace's rules over a Store and signs through
// issuer.Service.
type Service struct {
	Store  Store
	Issuer *issuer.Service
	// BaseURL is the server's public URL: images are served at
	// BaseURL/images/ID and claim links are BaseURL/claim/TOKEN.
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ClaimTTL is how long a claim link stays valid; zero means DefaultClaimTTL.
	ClaimTTL time.Duration
}

// DefaultClaimTTL: a learner has 60 days to claim a badge (a link e-mailed
// before the summer holidays still works after them).
const DefaultClaimTTL = 60 * 24 * time.Hour

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) audit(ctx context.Context, issuerID, actor, action, target, detail string) error {
	return s.Store.Audit(ctx, AuditEntry{At: s.now(), IssuerID: issuerID, Actor: actor, Action: action, Target: target, Detail: detail})
}

// ImageURL is where a stored image is served.
func (s *Service) ImageURL(id string) string {
	if id == "" {
		return ""
	}
	return strings.TrimSuffix(s.BaseURL, "/") + "/images/" + id
}

// AddImage checks an upload (CheckImage) and stores it.
func (s *Service) AddImage(ctx context.Context, issuerID string, data []byte, actor string) (*Image, error) {
	mt, err := CheckImage(data)
	if err != nil {
		return nil, err
	}
	img := &Image{ID: newID(), MediaType: mt, Data: data, CreatedAt: s.now()}
	if err := s.Store.PutImage(ctx, img); err != nil {
		return nil, err
	}
	return img, s.audit(ctx, issuerID, actor, "image.add", img.ID, mt)
}

// CreateAchievement validates a and adds it to the catalogue. It fills
// in its ID, Group (its own ID: a group of one) and Version.
func (s *Service) CreateAchievement(ctx context.Context, a *Achievement, actor string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.ImageID != "" {
		if _, err := s.Store.GetImage(ctx, a.ImageID); err != nil {
			return fieldErr("image", "unknown image %s", a.ImageID)
		}
	}
	a.ID = newID()
	if strings.HasPrefix(s.BaseURL, "https://") {
		a.URI = strings.TrimSuffix(s.BaseURL, "/") + "/achievements/" + a.ID
	}
	if a.Group == "" {
		a.Group = a.ID
	}
	a.Version, a.Archived = 1, false
	a.CreatedAt, a.UpdatedAt = s.now(), s.now()
	if err := s.Store.CreateAchievement(ctx, a); err != nil {
		return err
	}
	return s.audit(ctx, a.IssuerID, actor, "achievement.create", a.ID, a.Name)
}

// AddVariant adds a as the variant of achievement ofID in another
// language: both then list each other in `related` with their language.
func (s *Service) AddVariant(ctx context.Context, ofID string, a *Achievement, actor string) error {
	of, err := s.Store.GetAchievement(ctx, ofID)
	if err != nil {
		return err
	}
	if of.IssuerID != a.IssuerID {
		return fmt.Errorf("%w: achievement %s belongs to another issuer", ErrNotFound, ofID)
	}
	vs, err := s.Store.Variants(ctx, of.Group)
	if err != nil {
		return err
	}
	lang := strings.ToLower(strings.TrimSpace(a.Lang))
	for _, v := range vs {
		if v.Lang == lang {
			return fieldErr("lang", "%q already has a variant in this language (%s)", of.Name, v.ID)
		}
	}
	a.Group = of.Group
	return s.CreateAchievement(ctx, a, actor)
}

// EditAchievement stores the edited fields of a (read with
// GetAchievement; a.Version is the version read: an edit made meanwhile
// by someone else is ErrConflict). Badges already awarded keep what they
// said: they are signed.
func (s *Service) EditAchievement(ctx context.Context, a *Achievement, actor string) error {
	old, err := s.Store.GetAchievement(ctx, a.ID)
	if err != nil {
		return err
	}
	if old.IssuerID != a.IssuerID {
		return fmt.Errorf("achievement %s: %w", a.ID, ErrNotFound)
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if a.ImageID != "" && a.ImageID != old.ImageID {
		if _, err := s.Store.GetImage(ctx, a.ImageID); err != nil {
			return fieldErr("image", "unknown image %s", a.ImageID)
		}
	}
	a.Group, a.CreatedAt, a.UpdatedAt = old.Group, old.CreatedAt, s.now()
	if err := s.Store.UpdateAchievement(ctx, a); err != nil {
		return err
	}
	return s.audit(ctx, a.IssuerID, actor, "achievement.edit", a.ID, a.Name)
}

// Archive hides an achievement from the catalogue and refuses new awards
// of it (archived false brings it back). Awarded badges are unaffected.
func (s *Service) Archive(ctx context.Context, issuerID, id string, archived bool, actor string) error {
	a, err := s.Store.GetAchievement(ctx, id)
	if err != nil {
		return err
	}
	if a.IssuerID != issuerID {
		return fmt.Errorf("achievement %s: %w", id, ErrNotFound)
	}
	if a.Archived == archived {
		return nil
	}
	a.Archived, a.UpdatedAt = archived, s.now()
	if err := s.Store.UpdateAchievement(ctx, a); err != nil {
		return err
	}
	action := "achievement.archive"
	if !archived {
		action = "achievement.unarchive"
	}
	return s.audit(ctx, issuerID, actor, action, id, a.Name)
}

// Achievement returns an achievement of issuerID.
func (s *Service) Achievement(ctx context.Context, issuerID, id string) (*Achievement, error) {
	// The id as the catalogue names it, or as badges do (urn:uuid:ID,
	// PUBLIC_URL/achievements/ID).
	id = strings.TrimPrefix(id, "urn:uuid:")
	if i := strings.LastIndex(id, "/achievements/"); i >= 0 {
		id = id[i+len("/achievements/"):]
	}
	a, err := s.Store.GetAchievement(ctx, id)
	if err != nil {
		return nil, err
	}
	if issuerID != "" && a.IssuerID != issuerID {
		return nil, fmt.Errorf("achievement %s: %w", id, ErrNotFound)
	}
	return a, nil
}

// OB3 returns the achievement's OB 3.0 form with its language variants and
// its image URL.
func (s *Service) OB3(ctx context.Context, a *Achievement) (map[string]any, error) {
	vs, err := s.Store.Variants(ctx, a.Group)
	if err != nil {
		return nil, err
	}
	return a.OB3(s.ImageURL(a.ImageID), vs), nil
}

// Variant returns the variant of a in lang, or a itself when it has none.
func (s *Service) Variant(ctx context.Context, a *Achievement, lang string) (*Achievement, error) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "" || lang == a.Lang {
		return a, nil
	}
	vs, err := s.Store.Variants(ctx, a.Group)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.Lang == lang && !v.Archived {
			return v, nil
		}
	}
	return a, nil
}

// ImportJSON adds an achievement from a JSON file: an OB 3.0 Achievement,
// or an Open Badges 2.0 BadgeClass (from Open Badge Factory or any OB 2.0
// issuer), recognised by its type. A data: image in it is checked and
// stored like an upload. lang is the language of an OB 2.0 badge class's
// texts (OB 2.0 does not say).
func (s *Service) ImportJSON(ctx context.Context, issuerID string, raw []byte, opt ImportOptions, actor string) (*Achievement, error) {
	lang := opt.Lang
	v, err := credential.ParseJSON(raw, credential.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrInvalid, err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the file must hold a JSON object (an Achievement or a BadgeClass)", ErrInvalid)
	}
	var a *Achievement
	var img []byte
	if isBadgeClass(doc) {
		if lang == "" {
			lang = "en"
		}
		a, img, err = FromOB2(doc, issuerID, lang)
	} else {
		if doc, err = fromOB3Image(doc, &img); err == nil {
			a, err = FromOB3(doc, issuerID)
		}
	}
	if err != nil {
		return nil, err
	}
	if opt.Lang != "" {
		a.Lang = opt.Lang
	}
	if opt.Image != nil {
		img = opt.Image
	} else if img == nil && a.ImageURL != "" && opt.Fetch != nil && isHTTPURL(a.ImageURL) {
		b, err := opt.Fetch(ctx, a.ImageURL)
		if err != nil {
			return nil, fieldErr("image", "could not download %s: %v", a.ImageURL, err)
		}
		img = b
	}
	// The image is checked before anything is stored.
	if img != nil {
		if _, err := CheckImage(img); err != nil {
			return nil, fieldErr("image", "%v", err)
		}
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	// The same badge class or achievement imported twice would be two
	// catalogue entries that look alike, and the same people could be
	// awarded "both": refuse it and name the one already there.
	if a.Source != "" && opt.VariantOf == "" {
		have, err := s.Store.ListAchievements(ctx, issuerID, false)
		if err != nil {
			return nil, err
		}
		for _, h := range have {
			if h.Source == a.Source {
				return nil, fmt.Errorf("%w: %s is already in the catalogue as %q (%s); archive it to import it again", ErrExists, a.Source, h.Name, h.ID)
			}
		}
	}
	if img != nil {
		stored, err := s.AddImage(ctx, issuerID, img, actor)
		if err != nil {
			return nil, fieldErr("image", "%v", err)
		}
		a.ImageID, a.ImageURL = stored.ID, ""
	}
	if opt.VariantOf != "" {
		err = s.AddVariant(ctx, strings.TrimPrefix(opt.VariantOf, "urn:uuid:"), a, actor)
	} else {
		err = s.CreateAchievement(ctx, a, actor)
	}
	if err != nil {
		return nil, err
	}
	if a.Source != "" {
		if err := s.audit(ctx, issuerID, actor, "achievement.import", a.ID, a.Source); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// ImportOptions say how a file is added to the catalogue.
type ImportOptions struct {
	Lang      string // the texts' language; default the file's inLanguage, else en
	VariantOf string // the achievement this one is a language variant of
	Image     []byte // the badge's image, replacing the file's
	// Fetch, when set, downloads an image the file names by URL (an Open
	// Badge Factory badge class's), so that it is checked and served from
	// here like an upload; the caller's hardened client (internal/fetch).
	// Nil keeps the URL as it is.
	Fetch func(ctx context.Context, url string) ([]byte, error)
}

// fromOB3Image takes a data: image out of an OB 3.0 achievement (to be
// stored and served, not copied into every badge).
func fromOB3Image(doc map[string]any, img *[]byte) (map[string]any, error) {
	var u string
	switch im := doc["image"].(type) {
	case string:
		u = im
	case map[string]any:
		u, _ = im["id"].(string)
	}
	if !strings.HasPrefix(u, "data:") {
		return doc, nil
	}
	b, err := decodeDataURI(u)
	if err != nil {
		return nil, fieldErr("image", "%v", err)
	}
	*img = b
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "image" {
			out[k] = v
		}
	}
	return out, nil
}

func isBadgeClass(doc map[string]any) bool {
	switch t := doc["type"].(type) {
	case string:
		return t == "BadgeClass"
	case []any:
		for _, x := range t {
			if x == "BadgeClass" {
				return true
			}
		}
	}
	return false
}

// MarshalAchievement is the JSON an API client reads for an achievement.
func MarshalAchievement(a *Achievement) ([]byte, error) {
	type out struct {
		ID       string `json:"id"`
		OB3ID    string `json:"ob3Id"`
		Lang     string `json:"lang"`
		Group    string `json:"group"`
		Name     string `json:"name"`
		Archived bool   `json:"archived"`
		Version  int64  `json:"version"`
		AchievementDetails
	}
	return json.Marshal(out{a.ID, a.OB3ID(), a.Lang, a.Group, a.Name, a.Archived, a.Version, a.AchievementDetails})
}

var errArchived = errors.New("this achievement is archived: bring it back before awarding it")
