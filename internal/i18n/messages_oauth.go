package i18n

// The OAuth 2.0 consent page and the connected apps page
// (internal/server/oauth): {English, French}. Kept apart from messages.go
// so that parts built in parallel do not edit one big table.
func init() {
	for k, v := range map[string][2]string{
		"oauth.consent.title":             {"Connect an app to your badges", "Connecter une application à vos badges"},
		"oauth.consent.asks":              {"%s asks for permission to:", "%s demande l'autorisation de :"},
		"oauth.consent.signed-in":         {"You are signed in as %s.", "Vous êtes connecté·e en tant que %s."},
		"oauth.consent.about":             {"About this app", "À propos de cette application"},
		"oauth.consent.site":              {"Website", "Site web"},
		"oauth.consent.terms":             {"Terms of use", "Conditions d'utilisation"},
		"oauth.consent.policy":            {"Privacy policy", "Politique de confidentialité"},
		"oauth.consent.logo":              {"Logo of %s", "Logo de %s"},
		"oauth.consent.redirect":          {"After you answer, you will be sent back to %s.", "Après votre réponse, vous serez renvoyé·e vers %s."},
		"oauth.consent.trust":             {"Only allow apps you trust. You can disconnect this app at any time from your connected apps.", "N'autorisez que les applications en qui vous avez confiance. Vous pourrez déconnecter cette application à tout moment depuis vos applications connectées."},
		"oauth.consent.choose":            {"Untick what you do not want to allow.", "Décochez ce que vous ne voulez pas autoriser."},
		"oauth.consent.allow":             {"Allow", "Autoriser"},
		"oauth.consent.deny":              {"Deny", "Refuser"},
		"oauth.scope.credential.readonly": {"see the badges in your wallet", "voir les badges de votre portefeuille"},
		"oauth.scope.credential.upsert":   {"add badges to your wallet, or replace them with newer versions (only badges issued to you, and only once they verify)", "ajouter des badges à votre portefeuille, ou les remplacer par des versions plus récentes (seulement des badges qui vous ont été délivrés, et seulement s'ils sont vérifiés)"},
		"oauth.scope.profile.readonly":    {"see your profile (your name and e-mail address)", "voir votre profil (votre nom et votre adresse e-mail)"},
		"oauth.scope.profile.update":      {"change your profile", "modifier votre profil"},
		"oauth.scope.offline_access":      {"keep this access while you are away, until you disconnect it", "garder cet accès en votre absence, jusqu'à ce que vous le déconnectiez"},
		"oauth.error.title":               {"This connection request cannot be completed", "Cette demande de connexion ne peut pas aboutir"},
		"oauth.error.intro":               {"The app that sent you here made a request Blason cannot accept. Nothing was shared. Tell the app's makers what this says:", "L'application qui vous a envoyé·e ici a fait une demande que Blason ne peut pas accepter. Rien n'a été partagé. Transmettez ce message aux auteurs de l'application :"},
		"oauth.error.signin":              {"Sign in to answer this request.", "Connectez-vous pour répondre à cette demande."},
		"oauth.apps.title":                {"Connected apps", "Applications connectées"},
		"oauth.apps.intro":                {"These apps can reach your badges through the Open Badges API. Disconnecting one cancels its access at once.", "Ces applications peuvent accéder à vos badges par l'API Open Badges. En déconnecter une annule son accès immédiatement."},
		"oauth.apps.none":                 {"No app is connected to your badges.", "Aucune application n'est connectée à vos badges."},
		"oauth.apps.since":                {"Connected since %s", "Connectée depuis le %s"},
		"oauth.apps.can":                  {"It can:", "Elle peut :"},
		"oauth.apps.disconnect":           {"Disconnect", "Déconnecter"},
		"oauth.apps.disconnected":         {"%s is disconnected: it can no longer reach your badges.", "%s est déconnectée : elle ne peut plus accéder à vos badges."},
		"obconnect.title":                 {"Other badge platforms", "Autres plateformes de badges"},
		"obconnect.intro":                 {"Connect your wallet to another Open Badges platform to bring your badges from there, or to send badges there.", "Connectez votre portefeuille à une autre plateforme Open Badges pour en rapporter vos badges, ou pour y envoyer des badges."},
		"obconnect.base-url":              {"Address of the platform", "Adresse de la plateforme"},
		"obconnect.connect":               {"Connect", "Connecter"},
		"obconnect.none":                  {"Your wallet is not connected to another platform.", "Votre portefeuille n'est connecté à aucune autre plateforme."},
		"obconnect.pull":                  {"Import my badges from there", "Importer mes badges de là-bas"},
		"obconnect.disconnect":            {"Disconnect", "Déconnecter"},
		"obconnect.connected":             {"Connected to %s.", "Connecté à %s."},
		"obconnect.disconnected":          {"Disconnected.", "Déconnecté."},
		"obconnect.pulled":                {"%d of the %d badges found there were added to your wallet (each was verified; copies you already hold are not added again).", "%d des %d badges trouvés là-bas ont été ajoutés à votre portefeuille (chacun a été vérifié ; ceux que vous aviez déjà ne sont pas ajoutés à nouveau)."},
		"obconnect.pushed":                {"The badge was sent to %s.", "Le badge a été envoyé à %s."},
		"obconnect.deliver.title":         {"Send your badge to your platform", "Envoyer votre badge à votre plateforme"},
		"obconnect.deliver.no-claim":      {"This claim link is not valid (it may have been used already).", "Ce lien de réception n'est pas valide (il a peut-être déjà servi)."},
		"obconnect.deliver.done":          {"Your badge was sent to %s. You will find it there.", "Votre badge a été envoyé à %s. Vous l'y trouverez."},
		"obconnect.failed":                {"That did not work: %s", "Cela n'a pas fonctionné : %s"},
	} {
		if _, dup := messages[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		messages[k] = v
	}
}
