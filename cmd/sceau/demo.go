package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
)

// demoIssuer is the slug of the demonstration issuer; its presence marks
// the demo data as loaded, so `serve --demo` can be run again.
const demoIssuer = "formation-continue-demo"

// seedDemo loads a continuing-education issuer, badge definitions in
// French and English, and a few awards (one revoked), unless already there.
func seedDemo(ctx context.Context, a *app) error {
	if _, err := a.db.GetIssuerBySlug(ctx, demoIssuer); err == nil {
		a.log.Info("demo data already loaded", "issuer", demoIssuer)
		return nil
	} else if !badge.IsNotFound(err) {
		return err
	}
	img, err := a.blobs.PutAddressed(ctx, "images", bytes.NewReader(demoImage()), "image/png")
	if err != nil {
		return err
	}
	iss := &badge.Issuer{
		Slug:        demoIssuer,
		Name:        "Service de formation continue (démonstration)",
		Description: "Organisme de formation continue du personnel enseignant — données de démonstration.",
		URL:         a.cfg.BaseURL,
		Email:       "formation@sceau.example",
		ImageKey:    img.Key,
		Language:    "fr",
	}
	if err := a.service.CreateIssuer(ctx, iss); err != nil {
		return err
	}
	defs := []*badge.Badge{
		{
			Slug: "conception-universelle-apprentissage", Name: "Conception universelle de l'apprentissage",
			Description:       "Planifier une séquence d'enseignement accessible à tous les élèves selon les principes de la CUA.",
			CriteriaNarrative: "Suivre les trois modules d'autoformation et remettre une planification commentée (PDF).",
			AchievementType:   "Course", Tags: []string{"inclusion", "planification"}, Language: "fr",
			Alignments: []badge.Alignment{{Name: "Différencier l'enseignement", URL: "https://www.quebec.ca/education/referentiel-competences-professionnelles", Code: "C7", Framework: "Référentiel de compétences professionnelles"}},
		},
		{
			Slug: "lecture-professionnelle", Name: "Lecture professionnelle",
			Description:       "Lire un ouvrage de recherche en éducation et en tirer des pistes pour sa pratique.",
			CriteriaNarrative: "Remettre une réflexion écrite d'une page sur l'ouvrage lu.",
			AchievementType:   "Achievement", Tags: []string{"lecture", "réflexion"}, Language: "fr",
		},
		{
			Slug: "digital-citizenship-workshop", Name: "Digital citizenship workshop",
			Description:       "Took part in a three-hour workshop on teaching digital citizenship.",
			CriteriaNarrative: "Attend the whole workshop and share one classroom activity with the group.",
			AchievementType:   "Assessment", Tags: []string{"digital", "workshop"}, Language: "en",
		},
	}
	for _, d := range defs {
		d.IssuerID = iss.ID
		d.ImageKey, d.ImageType = img.Key, "image/png"
		if err := a.service.CreateBadge(ctx, d); err != nil {
			return fmt.Errorf("badge %s: %w", d.Slug, err)
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	var ins []issuing.AwardInput
	for i, r := range []struct{ email, name string }{
		{"marie.lemieux@exemple.qc.ca", "Marie Lemieux"},
		{"jean.tremblay@exemple.qc.ca", "Jean Tremblay"},
		{"amelie.gagnon@exemple.qc.ca", "Amélie Gagnon"},
		{"sam.wilson@example.ca", "Sam Wilson"},
	} {
		d := defs[i%len(defs)]
		ins = append(ins, issuing.AwardInput{
			BadgeID: d.ID, Email: r.email, Name: r.name, Language: d.Language,
			Narrative: "Travail remis et évalué par l'équipe de formation.",
			AwardedAt: now, ValidFrom: now,
		})
	}
	awards, err := a.service.AwardMany(ctx, ins)
	if err != nil {
		return err
	}
	if err := a.service.Revoke(ctx, awards[len(awards)-1].ID, "Attribué par erreur (démonstration)"); err != nil {
		return err
	}
	for _, aw := range awards {
		a.log.Info("demo award", "url", a.cfg.BaseURL+"/awards/"+aw.ID)
	}
	return nil
}

// demoImage draws a small seal, a blue disc ringed with gold: the demo
// badges' image and the examples' baked PNG.
func demoImage() []byte {
	const size = 96
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := x-size/2, y-size/2
			if d := dx*dx + dy*dy; d < 44*44 {
				c := color.NRGBA{R: 0x1d, G: 0x4e, B: 0x89, A: 0xff}
				if d > 38*38 {
					c = color.NRGBA{R: 0xc8, G: 0x9b, B: 0x3c, A: 0xff}
				}
				img.Set(x, y, c)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
}
