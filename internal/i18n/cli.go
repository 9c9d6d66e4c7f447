package i18n

// The command line's report (verifier's WriteTextIn): {English, French}.
// The English headlines are part of the CLI's contract (scripts grep for
// them) and never change; the French ones read the same way.
func init() {
	for k, v := range map[string][2]string{
		"cli.badge":                    {"Badge:      %s", "Badge :     %s"},
		"cli.format.ob2-hosted":        {"Format:     Open Badges 2.0 (older format), hosted by its issuer", "Format :    Open Badges 2.0 (ancien format), hébergé par son émetteur"},
		"cli.format.ob2-signed":        {"Format:     Open Badges 2.0 (older format), signed by its issuer", "Format :    Open Badges 2.0 (ancien format), signé par son émetteur"},
		"cli.issued-by":                {"Issued by:  %s", "Émis par :  %s"},
		"cli.valid":                    {"Valid:      from %s, %s", "Valide :    à partir du %s, %s"},
		"cli.no-expiry":                {"no expiry", "sans date de fin"},
		"cli.until":                    {"until %s", "jusqu'au %s"},
		"cli.also-signed":              {"  also signed by %s (not the issuer)", "  signé aussi par %s (pas l'émetteur)"},
		"cli.endorsement":              {"  endorsement %d by %s: %s", "  recommandation %d par %s : %s"},
		"cli.endorsement.verified":     {"verified", "vérifiée"},
		"cli.endorsement.not-verified": {"not verified", "non vérifiée"},
		"cli.headline.verified":        {"VERIFIED", "VÉRIFIÉ"},
		"cli.headline.unchecked":       {"SIGNATURE VALID — REVOCATION NOT CHECKED", "SIGNATURE VALIDE — RÉVOCATION NON VÉRIFIÉE"},
		"cli.headline.not-verified":    {"NOT VERIFIED", "NON VÉRIFIÉ"},
		"cli.line.unchecked":           {"%s: issued by %s and not altered since, but it may have been revoked.", "%s : émis par %s et non modifié depuis, mais il a pu être révoqué."},
		"cli.line.verified":            {"%s: issued by %s and not altered since.", "%s : émis par %s et non modifié depuis."},
		"cli.line.not-verified":        {"%s: %s", "%s : %s"},
		"cli.why":                      {"Why: %s", "Pourquoi : %s"},
		"cli.todo":                     {"What to do: %s", "Que faire : %s"},
		"cli.note":                     {"Note: %s", "Remarque : %s"},
		"cli.required-failed":          {"a required check did not pass", "une vérification obligatoire n'a pas réussi"},
		"cli.hint.status.offline":      {"check again without --offline before relying on it.", "vérifiez à nouveau sans --offline avant de vous y fier."},
		"cli.hint.status.unreachable": {"check again with network access, or ask the issuer, before relying on it. For an issuer on this machine: --data DIR (its data directory) or --allow-loopback-status.",
			"vérifiez à nouveau avec un accès au réseau, ou renseignez-vous auprès de l'émetteur, avant de vous y fier. Pour un émetteur sur cette machine : --data DIR (son répertoire de données) ou --allow-loopback-status."},
		"cli.hint.ask":                      {"ask the issuer whether it is still valid before relying on it.", "demandez à l'émetteur s'il est toujours valide avant de vous y fier."},
		"cli.unverified-holder":             {"an unverified holder", "un détenteur non vérifié"},
		"cli.presentation-by":               {"Presentation by %s", "Présentation par %s"},
		"cli.credential-n":                  {"--- Credential %d of %d ---", "--- Justificatif %d sur %d ---"},
		"cli.presentation.verified":         {"PRESENTATION VERIFIED.", "PRÉSENTATION VÉRIFIÉE."},
		"cli.presentation.unchecked":        {"PRESENTATION %s: the revocation status of a badge in it could not be checked (see above).", "PRÉSENTATION %s : la révocation d'un badge qu'elle contient n'a pas pu être vérifiée (voir ci-dessus)."},
		"cli.presentation.not-verified":     {"PRESENTATION NOT VERIFIED.", "PRÉSENTATION NON VÉRIFIÉE."},
		"cli.presentation.not-verified-why": {"PRESENTATION NOT VERIFIED: %s", "PRÉSENTATION NON VÉRIFIÉE : %s"},
		"cli.unreadable":                    {"could not read this: %s", "illisible : %s"},
		"cli.issuer":                        {"Who issued it:\n  %s", "Qui l'a émis :\n  %s"},
		"cli.issuer.known":                  {"Known issuer: it is on your --trust-list.", "Émetteur connu : il figure dans votre --trust-list."},
		"cli.issuer.unknown":                {"Unknown issuer: it is not on your --trust-list. The badge can be genuine; check who the issuer is.", "Émetteur inconnu : il ne figure pas dans votre --trust-list. Le badge peut être authentique ; vérifiez qui est l'émetteur."},
	} {
		if _, dup := messages[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		messages[k] = v
	}
}
