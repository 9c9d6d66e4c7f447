package i18n

// The account pages (internal/server/web/account.go): {English, French}.
// Kept apart from messages.go so that pages built in parallel do not edit
// one big table.
func init() {
	for k, v := range map[string][2]string{
		"error.internal":                {"Something went wrong on our side. Please try again in a moment.", "Un problème est survenu de notre côté. Réessayez dans un instant."},
		"nav.signin":                    {"Sign in", "Se connecter"},
		"nav.signup":                    {"Create an account", "Créer un compte"},
		"nav.account":                   {"My account", "Mon compte"},
		"nav.wallet":                    {"My badges", "Mes badges"},
		"account.title":                 {"My account", "Mon compte"},
		"account.email":                 {"E-mail address", "Adresse e-mail"},
		"account.password":              {"Password", "Mot de passe"},
		"account.password.help":         {"At least 8 characters. A sentence you remember is a good password.", "Au moins 8 caractères. Une phrase dont vous vous souvenez fait un bon mot de passe."},
		"account.new-password":          {"New password", "Nouveau mot de passe"},
		"account.signup.title":          {"Create your account", "Créer votre compte"},
		"account.signup.intro":          {"An account keeps your badges in one place, to share them and present them.", "Un compte garde vos badges au même endroit, pour les partager et les présenter."},
		"account.signup.submit":         {"Create my account", "Créer mon compte"},
		"account.signup.have":           {"Already have an account? Sign in.", "Vous avez déjà un compte ? Connectez-vous."},
		"account.signin.title":          {"Sign in", "Se connecter"},
		"account.signin.submit":         {"Sign in", "Se connecter"},
		"account.signin.forgot":         {"Forgot your password?", "Mot de passe oublié ?"},
		"account.signin.none":           {"No account yet? Create one.", "Pas encore de compte ? Créez-en un."},
		"account.signed-out":            {"You are signed out.", "Vous êtes déconnecté."},
		"account.link.title":            {"Sign in with your link", "Se connecter avec votre lien"},
		"account.link.intro":            {"This link signs you in once. You can choose a password now, to sign in later without a link.", "Ce lien vous connecte une seule fois. Vous pouvez choisir un mot de passe maintenant, pour vous connecter plus tard sans lien."},
		"account.link.password":         {"Choose a password (optional)", "Choisir un mot de passe (facultatif)"},
		"account.link.submit":           {"Sign in", "Se connecter"},
		"account.reset.title":           {"Reset your password", "Réinitialiser votre mot de passe"},
		"account.reset.intro":           {"Give your account's e-mail address: we send a link to choose a new password. It works once, for one hour.", "Indiquez l'adresse e-mail de votre compte : nous envoyons un lien pour choisir un nouveau mot de passe. Il fonctionne une fois, pendant une heure."},
		"account.reset.submit":          {"Send me a link", "M'envoyer un lien"},
		"account.reset.sent":            {"If an account uses this address, a link to choose a new password is on its way. Check your mailbox.", "Si un compte utilise cette adresse, un lien pour choisir un nouveau mot de passe est en route. Consultez votre messagerie."},
		"account.reset.link.intro":      {"Choose a new password. You will be signed out everywhere else.", "Choisissez un nouveau mot de passe. Vous serez déconnecté partout ailleurs."},
		"account.reset.link.submit":     {"Save my new password", "Enregistrer mon nouveau mot de passe"},
		"account.signed-in-as":          {"Signed in as %s.", "Connecté en tant que %s."},
		"account.signout":               {"Sign out", "Se déconnecter"},
		"account.signout.all":           {"Sign out everywhere", "Se déconnecter partout"},
		"account.signout.all.help":      {"Ends every session of your account, on every device (for instance after using a shared computer).", "Met fin à toutes les sessions de votre compte, sur tous les appareils (par exemple après avoir utilisé un ordinateur partagé)."},
		"account.error.reset-throttled": {"Too many reset requests. Wait 15 minutes and try again.", "Trop de demandes de réinitialisation. Attendez 15 minutes et réessayez."},
		"account.error.signin":          {"The e-mail address or the password is not right.", "L'adresse e-mail ou le mot de passe n'est pas correct."},
		"account.error.throttled":       {"Too many failed attempts. Wait 15 minutes and try again, or reset your password.", "Trop de tentatives échouées. Attendez 15 minutes et réessayez, ou réinitialisez votre mot de passe."},
		"account.error.email":           {"This is not an e-mail address.", "Ce n'est pas une adresse e-mail."},
		"account.error.password":        {"Choose a password of at least %d characters.", "Choisissez un mot de passe d'au moins %d caractères."},
		"account.error.taken":           {"An account already uses this address. Sign in, or reset your password.", "Un compte utilise déjà cette adresse. Connectez-vous, ou réinitialisez votre mot de passe."},
		"account.error.link":            {"This link no longer works: it was already used, or it has expired. Ask for a new one.", "Ce lien ne fonctionne plus : il a déjà servi, ou il a expiré. Demandez-en un nouveau."},
		"account.export.title":          {"Your data", "Vos données"},
		"account.export.help":           {"Download everything kept about you: your account, your badges as received, their reports, your share links and who opened them.", "Téléchargez tout ce qui est conservé à votre sujet : votre compte, vos badges tels que reçus, leurs rapports, vos liens de partage et qui les a ouverts."},
		"account.export.link":           {"Download everything (zip)", "Tout télécharger (zip)"},
		"account.delete.title":          {"Delete my account", "Supprimer mon compte"},
		"account.delete.help":           {"Deletes your account, your badges, your share links (they stop working at once) and their logs. This cannot be undone.", "Supprime votre compte, vos badges, vos liens de partage (ils cessent aussitôt de fonctionner) et leurs journaux. C'est définitif."},
		"account.delete.confirm":        {"Type your e-mail address to confirm", "Saisissez votre adresse e-mail pour confirmer"},
		"account.delete.submit":         {"Delete my account and everything in it", "Supprimer mon compte et tout son contenu"},
		"account.delete.confirm-error":  {"Type your account's e-mail address to confirm the deletion.", "Saisissez l'adresse e-mail de votre compte pour confirmer la suppression."},
		"privacy.title":                 {"Privacy", "Confidentialité"},
		"privacy.kept":                  {"What we keep: your e-mail address, a hash of your password (never the password), the badges you add exactly as you gave them with their verification reports, your share links, and the key that signs your presentations (encrypted).", "Ce que nous conservons : votre adresse e-mail, une empreinte de votre mot de passe (jamais le mot de passe), les badges que vous ajoutez tels que vous les avez donnés avec leurs rapports de vérification, vos liens de partage, et la clé qui signe vos présentations (chiffrée)."},
		"privacy.not-kept":              {"What we do not keep: the address of your computer or of anyone who opens your links, and nothing about the badges people verify without an account. Failed sign-ins are counted for 15 minutes to stop password guessing, then forgotten.", "Ce que nous ne conservons pas : l'adresse de votre ordinateur ou de quiconque ouvre vos liens, et rien des badges vérifiés sans compte. Les connexions échouées sont comptées 15 minutes pour empêcher de deviner les mots de passe, puis oubliées."},
		"privacy.shares":                {"A share link shows one badge to whoever has the link, until you withdraw it or it expires. Each opening is logged with its time and, only if the viewer chooses to give it, a name.", "Un lien de partage montre un badge à quiconque a le lien, jusqu'à ce que vous le retiriez ou qu'il expire. Chaque ouverture est notée avec son heure et, seulement si la personne choisit de le donner, un nom."},
		"privacy.requests":              {"No page makes a request to another site: no fonts, scripts, trackers or analytics. To check a badge, the server fetches what the badge points to (its issuer's key and revocation list).", "Aucune page ne contacte un autre site : ni polices, ni scripts, ni traceurs, ni statistiques. Pour vérifier un badge, le serveur obtient ce vers quoi pointe le badge (la clé et la liste de révocation de son émetteur)."},
		"privacy.rights":                {"You can download everything at any time, and delete your account with all of it, from your account page.", "Vous pouvez tout télécharger à tout moment, et supprimer votre compte avec tout son contenu, depuis la page de votre compte."},
	} {
		if _, dup := messages[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		messages[k] = v
	}
}
