package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/sceau/sceau/internal/badge"

	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/locale"
)

// maxBody bounds request bodies: the public routes read none.
const maxBody = 64 << 10

// routes is every public route, in one place (DESIGN.md, convention 2).
// The paths follow internal/issuing/urls.go, which names them in
// credentials.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn httpx.HandlerFunc) {
		mux.Handle(pattern, httpx.LimitBody(maxBody, httpx.Handle(s.log, fn)))
	}

	h("GET /healthz", s.healthz)

	// Issuers: what verifiers fetch (the id URL is also the issuer's page).
	h("GET /issuers/{slug}", s.withSession(s.issuer))
	h("GET /issuers/{slug}/did.json", s.didDocument)
	h("GET /issuers/{slug}/image", s.issuerImage)
	h("GET /issuers/{slug}/badges/{badge}/image", s.badgeImage)
	h("GET /issuers/{slug}/status/{purpose}", s.statusList)
	h("GET /issuers/{slug}/revocations", s.revocationList)

	// Awards: the permanent address, its explicit forms, baked images and
	// evidence files.
	h("GET /awards/{id}", s.award)
	h("GET /awards/{id}/credential.json", s.awardJSON)
	h("GET /awards/{id}/credential.jwt", s.awardJWT)
	h("GET /awards/{id}/badge.png", s.awardBaked("png"))
	h("GET /awards/{id}/badge.svg", s.awardBaked("svg"))
	h("GET /awards/{id}/evidence/{n}", s.evidenceFile)
	h("GET /awards/{id}/verify", s.verifyAward)
	h("GET /awards/{id}/proof.pdf", s.awardProof)

	// Open Badges 2.0 hosted documents, for displayers that read only 2.0.
	h("GET /ob2/assertions/{id}", s.ob2Assertion)
	h("GET /ob2/badges/{issuer}/{badge}", s.ob2BadgeClass)
	h("GET /ob2/issuers/{slug}", s.ob2Issuer)

	// The application: accounts, workspace, catalogue. These pages load
	// the session; forms post bodies up to formBody (uploads set their own
	// limits).
	a := func(pattern string, fn httpx.HandlerFunc) { mux.Handle(pattern, s.appHandler(fn)) }
	a("GET /{$}", s.home)
	a("GET /signup", s.signupForm)
	a("POST /signup", s.signup)
	a("GET /check-email", s.checkEmail)
	a("GET /confirm", s.confirm)
	a("GET /signin", s.signinForm)
	a("POST /signin", s.signin)
	a("POST /signout", s.signout)
	a("GET /reset", s.resetRequestForm)
	a("POST /reset", s.resetRequest)
	a("GET /reset/{token}", s.resetForm)
	a("POST /reset/{token}", s.reset)
	a("GET /account", s.account)
	a("POST /account/emails", s.addEmail)
	a("POST /account/emails/resend", s.resendConfirmation)
	a("GET /invitations/{token}", s.invitationPage)
	a("POST /invitations/{token}", s.acceptInvitation)
	a("POST /preview/markdown", s.markdownPreview)

	a("GET /catalogue", s.catalogue)
	a("GET /catalogue/{issuer}/{badge}", s.catalogueBadge)
	a("GET /catalogue/{issuer}/{badge}/apply", s.applyForm)
	a("POST /catalogue/{issuer}/{badge}/apply", s.apply)
	a("GET /applications", s.myApplications)
	a("GET /applications/{id}", s.myApplication)
	a("POST /applications/{id}", s.resubmit)
	a("GET /applications/{id}/files/{n}", s.myApplicationFile)

	a("GET /workspace", s.workspace)
	a("POST /workspace", s.createOrg)
	a("GET /workspace/{org}", s.org)
	a("GET /workspace/{org}/profile", s.orgProfileForm)
	a("POST /workspace/{org}/profile", s.updateOrgProfile)
	a("GET /workspace/{org}/members", s.members)
	a("POST /workspace/{org}/members", s.invite)
	a("POST /workspace/{org}/members/{user}/remove", s.removeMember)
	a("GET /workspace/{org}/badges/new", s.newBadgeForm)
	a("POST /workspace/{org}/badges", s.saveBadge)
	a("GET /workspace/{org}/badges/{badge}/edit", s.editBadgeForm)
	a("POST /workspace/{org}/badges/{badge}/edit", s.saveBadge)
	a("GET /workspace/{org}/badges/{badge}/award", s.awardForm)
	a("POST /workspace/{org}/badges/{badge}/award", s.awardOne)
	a("POST /workspace/{org}/badges/{badge}/batches", s.uploadBatch)
	a("GET /workspace/{org}/batches/{id}", s.batchPage)
	a("POST /workspace/{org}/batches/{id}/start", s.startBatch)
	a("GET /workspace/{org}/applications", s.reviewQueue)
	a("GET /workspace/{org}/applications/{id}", s.review)
	a("POST /workspace/{org}/applications/{id}", s.decide)
	a("GET /workspace/{org}/applications/{id}/files/{n}", s.reviewFile)
	a("GET /workspace/{org}/awards", s.awards)
	a("POST /workspace/{org}/awards/{id}/revoke", s.revokeAward)
	a("POST /workspace/{org}/awards/{id}/resend", s.resendAward)

	// Recipients and appraisers: claim, portfolio, verification page,
	// public portfolios.
	// The link of an award's announcement.
	a("GET /claim/{secret}", s.claimPage)
	a("POST /claim/{secret}/accept", s.claimDecision(true))
	a("POST /claim/{secret}/decline", s.claimDecision(false))
	a("POST /claim/{secret}/address", s.claimAddAddress)

	// The signed-in recipient's portfolio.
	a("GET /portfolio", s.portfolio)
	a("POST /portfolio/awards/{id}/accept", s.portfolioDecision(true))
	a("POST /portfolio/awards/{id}/decline", s.portfolioDecision(false))
	a("POST /portfolio/items/{id}", s.itemSettings)
	a("POST /portfolio/items/{id}/move", s.moveItem)
	a("POST /portfolio/themes", s.createTheme)
	a("POST /portfolio/themes/{id}", s.renameTheme)
	a("POST /portfolio/themes/{id}/move", s.moveTheme)
	a("POST /portfolio/themes/{id}/delete", s.deleteTheme)

	// The appraiser's verification page.
	a("GET /verify", s.verifyForm)
	a("POST /verify", s.verifySubmit)

	// Public portfolios: /@handle and /@handle/badges/{slug}[/qr.png].
	// A ServeMux wildcard cannot follow "@" inside a segment, so these
	// take any first segment (every other route is more specific and
	// wins) and answer 404 unless it starts with "@".
	a("GET /{at}", s.publicPortfolio)
	a("GET /{at}/{rest...}", s.publicSubpage)

	// Badges from elsewhere: import, images, export.
	a("GET /portfolio/import", s.importForm)
	a("POST /portfolio/import", s.importSubmit)
	a("GET /portfolio/items/{id}/image", s.itemImage)
	a("GET /portfolio/items/{id}/download", s.downloadItem)
	a("GET /portfolio/export.zip", s.exportZip)

	// Integration: API tokens and webhooks, owners only.
	a("GET /workspace/{org}/api-tokens", s.apiTokens)
	a("POST /workspace/{org}/api-tokens", s.createAPIToken)
	a("POST /workspace/{org}/api-tokens/{id}/revoke", s.revokeAPIToken)
	a("GET /workspace/{org}/webhooks", s.webhooks)
	a("POST /workspace/{org}/webhooks", s.createWebhook)
	a("POST /workspace/{org}/webhooks/{id}/delete", s.deleteWebhook)

	// OAuth 2.0 consent (OB 3.0 API).
	a("GET /oauth/authorize", s.oauthAuthorize)
	a("POST /oauth/authorize", s.oauthDecide)

	// Connections to other Open Badges hosts.
	a("GET /portfolio/connections", s.connections)
	a("POST /portfolio/connections", s.connect)
	a("GET /portfolio/connections/callback", s.connectionCallback)
	a("POST /portfolio/connections/{id}/pull", s.connectionPull)
	a("POST /portfolio/connections/{id}/delete", s.connectionDelete)

	// Pathways, endorsements, delegated issuing.
	a("GET /pathways", s.cataloguePathways)
	a("GET /pathways/{issuer}/{slug}", s.cataloguePathway)
	a("GET /portfolio/pathways", s.myPathways)
	a("GET /workspace/{org}/pathways", s.orgPathways)
	a("POST /workspace/{org}/pathways", s.createPathway)
	a("GET /workspace/{org}/pathways/{owner}/{slug}", s.editPathwayForm)
	a("POST /workspace/{org}/pathways/{owner}/{slug}", s.savePathway)
	a("POST /workspace/{org}/pathways/{owner}/{slug}/requirements", s.addRequirement)
	a("GET /workspace/{org}/pathways/{owner}/{slug}/delete", s.deletePathwayForm)
	a("POST /workspace/{org}/pathways/{owner}/{slug}/delete", s.deletePathway)
	a("GET /workspace/{org}/completions", s.completions)
	a("POST /workspace/{org}/completions/{id}", s.reviewCompletion)
	a("GET /workspace/{org}/delegations", s.delegations)
	a("POST /workspace/{org}/delegations", s.grantDelegation)
	a("POST /workspace/{org}/delegations/{id}/withdraw", s.withdrawDelegation)
	a("GET /workspace/{org}/delegations/{id}/award", s.delegatedAwardForm)
	a("POST /workspace/{org}/delegations/{id}/award", s.delegatedAward)
	a("GET /workspace/{org}/endorsements", s.endorsements)
	a("POST /workspace/{org}/endorsements", s.endorse)
	a("POST /workspace/{org}/endorsements/{id}/accept", s.decideEndorsement(true))
	a("POST /workspace/{org}/endorsements/{id}/decline", s.decideEndorsement(false))
	a("GET /workspace/{org}/endorsements/{id}/withdraw", s.withdrawEndorsementForm)
	a("POST /workspace/{org}/endorsements/{id}/withdraw", s.withdrawEndorsement)
	a("GET /catalogue/{issuer}/{badge}/endorsements", s.badgeEndorsements)
	a("GET /issuers/{issuer}/endorsements", s.badgeEndorsements)
	h("GET /issuers/{slug}/authorisations", s.authorisations)
	h("GET /endorsements/{id}", s.endorsementCredential)
	a("GET /endorsements/{id}/verify", s.verifyEndorsement)

	// Competency frameworks.
	a("GET /workspace/{org}/frameworks", s.orgFrameworks)
	a("POST /workspace/{org}/frameworks", s.importFramework)
	a("GET /workspace/{org}/frameworks/{id}", s.orgFramework)
	a("POST /workspace/{org}/frameworks/{id}/align", s.alignFramework)
	a("GET /frameworks/{id}", s.publicFrameworkPage)
	a("GET /frameworks/{id}/public/{handle}", s.publicCoverage)
	a("GET /portfolio/frameworks", s.myFrameworks)
	a("GET /portfolio/frameworks/{id}", s.myFramework)
	a("POST /portfolio/frameworks/{id}/public", s.shareFramework)

	// Professional-development backpack.
	a("GET /portfolio/activities", s.activities)
	a("POST /portfolio/activities", s.createActivity)
	a("GET /portfolio/activities/{id}", s.activity)
	a("POST /portfolio/activities/{id}", s.updateActivity)
	a("POST /portfolio/activities/{id}/delete", s.deleteActivity)
	a("GET /portfolio/activities/{id}/files/{n}", s.ownActivityFile)
	a("POST /portfolio/activities/{id}/attest", s.requestAttestation)
	a("GET /attest/{secret}", s.attest)
	a("GET /attest/{secret}/files/{n}", s.attestFile)
	a("POST /attest/{secret}/confirm", s.confirmAttestation)
	a("POST /attest/{secret}/decline", s.declineAttestation)

	// Portfolio exports.
	a("GET /portfolio/export.pdf", s.exportPDF)
	a("GET /portfolio/export.clr.json", s.exportCLR)

	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))

	// Anything else is a translated 404 page rather than the mux's plain text.
	h("/", s.notFound)

	// Browsers' cross-origin form posts are refused (CSRF); API clients,
	// which send no Origin or Sec-Fetch-Site, are not affected.
	return httpx.SecurityHeaders(http.NewCrossOriginProtection().Handler(mux))
}

// formBody bounds the URL-encoded forms of the application.
const formBody = 256 << 10

// appHandler serves an application page: the session and user are
// loaded, bodies are bounded (multipart handlers raise their own bound),
// and an Unauthorized error on a page sends the browser to sign in.
func (s *server) appHandler(fn httpx.HandlerFunc) http.Handler {
	return s.sessions.LoadAndSave(s.withUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			r.Body = http.MaxBytesReader(w, r.Body, formBody)
		}
		err := fn(w, r)
		if u := userOf(r); u != nil && r.Method == http.MethodPost {
			// Whatever the owner changed shows at once on this node's
			// cached public portfolio (other nodes within definitionTTL).
			for _, lang := range locale.Languages {
				s.publicPages.forget("@" + u.Handle + "|" + lang)
			}
		}
		if err == nil {
			return
		}
		if badge.ErrorKind(err) == badge.Unauthorized && !httpx.PreferJSON(r) {
			http.Redirect(w, r, signinRedirect(r), http.StatusSeeOther)
			return
		}
		httpx.WriteError(w, r, s.log, err)
	})))
}

// withSession lets a public handler see the signed-in user (for the
// page header) without changing how it handles errors.
func (s *server) withSession(fn httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var err error
		s.sessions.LoadAndSave(s.withUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err = fn(w, r)
		}))).ServeHTTP(w, r)
		return err
	}
}
