package i18n

// The wallet pages (internal/server/web/wallet.go): {English, French}.
func init() {
	for k, v := range map[string][2]string{
		"wallet.title":               {"My badges", "Mes badges"},
		"wallet.empty":               {"Your wallet is empty. Add a badge you received: a file, a baked image, or its text.", "Votre portefeuille est vide. Ajoutez un badge reçu : un fichier, une image, ou son texte."},
		"wallet.verdict.valid":       {"Verified", "Vérifié"},
		"wallet.verdict.unchecked":   {"Genuine, revocation not checked", "Authentique, révocation non vérifiée"},
		"wallet.verdict.invalid":     {"Not verified", "Non vérifié"},
		"wallet.kept-unverified":     {"kept at your request although it did not verify", "conservé à votre demande bien qu'il n'ait pas été vérifié"},
		"wallet.warn.other-holder":   {"This badge was issued to someone else: it cannot be presented as yours.", "Ce badge a été délivré à quelqu'un d'autre : il ne peut pas être présenté comme le vôtre."},
		"wallet.holder":              {"Your holder identifier (give it to an issuer to receive badges you can present):", "Votre identifiant de titulaire (à donner à un émetteur pour recevoir des badges que vous pourrez présenter) :"},
		"wallet.added":               {"Added on %s.", "Ajouté le %s."},
		"wallet.import.title":        {"Add a badge", "Ajouter un badge"},
		"wallet.import.insist":       {"Keep it even if it does not pass verification (it will be marked)", "Le garder même s'il n'est pas vérifié (il sera signalé)"},
		"wallet.import.submit":       {"Add to my wallet", "Ajouter à mon portefeuille"},
		"wallet.error.not-verified":  {"This badge did not pass verification, so it was not added. Tick the box to keep it anyway, marked as not verified.", "Ce badge n'a pas été vérifié, il n'a donc pas été ajouté. Cochez la case pour le garder quand même, signalé comme non vérifié."},
		"wallet.error.revoked":       {"Its issuer has revoked this badge, so it was not added.", "Son émetteur a révoqué ce badge, il n'a donc pas été ajouté."},
		"wallet.error.duplicate":     {"This badge is already in your wallet.", "Ce badge est déjà dans votre portefeuille."},
		"wallet.error.older":         {"Your wallet already holds a newer version of this badge.", "Votre portefeuille contient déjà une version plus récente de ce badge."},
		"wallet.error.too-large":     {"This file is too large to be a badge.", "Ce fichier est trop volumineux pour être un badge."},
		"wallet.error.presentation":  {"This is a presentation (several badges signed by their holder): add the badges one by one.", "Ceci est une présentation (des badges signés par leur titulaire) : ajoutez les badges un par un."},
		"wallet.error.unreadable":    {"Could not read this: it is not a badge in a form Blason reads (JSON, JWT, or a baked PNG or SVG image).", "Illisible : ce n'est pas un badge sous une forme que Blason lit (JSON, JWT, ou image PNG ou SVG)."},
		"wallet.error.fetch":         {"The badge could not be fetched from this address.", "Le badge n'a pas pu être obtenu à cette adresse."},
		"wallet.error.present":       {"Give the verifier's challenge (the code it asked you to sign).", "Indiquez le défi du vérificateur (le code qu'il vous demande de signer)."},
		"wallet.download.json":       {"Download (JSON)", "Télécharger (JSON)"},
		"wallet.download.jwt":        {"Download (VC-JWT)", "Télécharger (VC-JWT)"},
		"wallet.download.image":      {"Download the badge image (the badge inside)", "Télécharger l'image du badge (avec le badge)"},
		"wallet.share.title":         {"Share links", "Liens de partage"},
		"wallet.share.create":        {"Make a share link", "Créer un lien de partage"},
		"wallet.share.days":          {"Valid for (days; 0 for no limit)", "Valable (jours ; 0 sans limite)"},
		"wallet.share.expires":       {"expires %s", "expire le %s"},
		"wallet.share.withdrawn":     {"withdrawn or expired", "retiré ou expiré"},
		"wallet.share.revoke":        {"Withdraw this link", "Retirer ce lien"},
		"wallet.share.thanks":        {"Thank you: the badge's owner will see your name.", "Merci : le titulaire du badge verra votre nom."},
		"wallet.share.qr":            {"QR code of the share link", "Code QR du lien de partage"},
		"wallet.share.linkedin":      {"Add to my LinkedIn profile", "Ajouter à mon profil LinkedIn"},
		"wallet.share.views":         {"Opened %d time(s).", "Ouvert %d fois."},
		"wallet.share.gone":          {"This share link was withdrawn by its owner or has expired.", "Ce lien de partage a été retiré par son titulaire ou a expiré."},
		"wallet.share.viewer":        {"Your name or organisation (optional, shown to the badge's owner)", "Votre nom ou organisation (facultatif, visible par le titulaire du badge)"},
		"wallet.share.viewer.submit": {"Let the owner know who looked", "Indiquer au titulaire qui a consulté"},
		"wallet.present.title":       {"Present to a verifier", "Présenter à un vérificateur"},
		"wallet.present.help":        {"A verifier gives you a challenge (and its domain): your presentation is signed with your own key for that request only.", "Un vérificateur vous donne un défi (et son domaine) : votre présentation est signée avec votre propre clé pour cette seule demande."},
		"wallet.present.challenge":   {"Challenge", "Défi"},
		"wallet.present.domain":      {"Domain (optional)", "Domaine (facultatif)"},
		"wallet.present.submit":      {"Sign the presentation", "Signer la présentation"},
		"wallet.present.result":      {"Your signed presentation: give it to the verifier", "Votre présentation signée : remettez-la au vérificateur"},
		"wallet.delete":              {"Remove this badge from my wallet", "Retirer ce badge de mon portefeuille"},
	} {
		if _, dup := messages[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		messages[k] = v
	}
}
