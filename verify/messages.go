package verify

// Code names a check. Codes are part of the report's contract: they never
// change meaning, and new checks get new codes.
type Code string

const (
	CodeFormat       Code = "format"       // the input is a credential container we read
	CodeBaked        Code = "baked"        // an image carries a baked credential
	CodeJSON         Code = "json"         // the credential is well-formed JSON of the right shape
	CodeContext      Code = "context"      // @context: VC first, Open Badges present, all known
	CodeType         Code = "type"         // type holds VerifiableCredential and an OB credential type
	CodeSchema       Code = "schema"       // the 1EdTech JSON Schema
	CodeStructure    Code = "structure"    // Open Badges rules the schema does not express
	CodeProof        Code = "proof"        // signature (Data Integrity or JWT)
	CodeIssuerKey    Code = "issuer_key"   // the signing key belongs to the issuer
	CodeValidFrom    Code = "valid_from"   // not before validFrom
	CodeValidUntil   Code = "valid_until"  // not after validUntil
	CodeStatus       Code = "status"       // revocation and suspension
	CodeEndorsements Code = "endorsements" // embedded endorsements verify
	CodeRecipient    Code = "recipient"    // issued to the given e-mail address

	// Open Badges 2.0 and 1.0.
	CodeAssertion  Code = "assertion"   // OB 2.0 data validation of the assertion
	CodeBadgeClass Code = "badge_class" // the badge class and the issuer profile were obtained
	CodeHosted     Code = "hosted"      // the issuer's server hosts this assertion, identical
	CodeHostScope  Code = "host_scope"  // the hosted assertion lives where its issuer allows
	CodeLegacy     Code = "legacy"      // an Open Badges 1.0 badge: what cannot be checked

	// Comprehensive Learner Record 2.0.
	CodeCLR      Code = "clr"      // @context, type and subject of a ClrCredential
	CodeIncluded Code = "included" // each credential the CLR carries verifies (Report.Included)
)

type textKey struct {
	code    Code
	outcome Outcome
}

// messages holds the sentence shown to people for each code and outcome, in
// both languages. A test checks that every code has a sentence for every
// outcome it can produce.
var messages = map[textKey]Text{
	{CodeFormat, Pass}: {EN: "The file was recognised.", FR: "Le fichier a été reconnu."},
	{CodeFormat, Fail}: {EN: "This is not a badge file Sceau can read (JSON, JWT, PNG or SVG).", FR: "Ce fichier n'est pas un badge que Sceau sait lire (JSON, JWT, PNG ou SVG)."},

	{CodeBaked, Pass}: {EN: "The image carries a badge.", FR: "L'image contient un badge."},
	{CodeBaked, Fail}: {EN: "The image carries no badge, or a damaged one.", FR: "L'image ne contient aucun badge, ou un badge endommagé."},
	{CodeBaked, Skip}: {EN: "Not an image.", FR: "Ce n'est pas une image."},

	{CodeJSON, Pass}: {EN: "The credential is well formed.", FR: "L'attestation est bien formée."},
	{CodeJSON, Fail}: {EN: "The credential is not well formed.", FR: "L'attestation est mal formée."},

	{CodeContext, Pass}: {EN: "The credential declares the Verifiable Credentials and Open Badges vocabularies.", FR: "L'attestation déclare les vocabulaires Verifiable Credentials et Open Badges."},
	{CodeContext, Fail}: {EN: "The credential's vocabularies (@context) are missing, misplaced or unknown.", FR: "Les vocabulaires de l'attestation (@context) sont absents, mal placés ou inconnus."},

	{CodeType, Pass}: {EN: "The credential is an Open Badge.", FR: "L'attestation est un Open Badge."},
	{CodeType, Fail}: {EN: "The credential does not declare itself an Open Badge.", FR: "L'attestation ne se déclare pas comme un Open Badge."},

	{CodeSchema, Pass}: {EN: "The credential follows the Open Badges 3.0 schema.", FR: "L'attestation respecte le schéma Open Badges 3.0."},
	{CodeSchema, Fail}: {EN: "The credential does not follow the Open Badges 3.0 schema.", FR: "L'attestation ne respecte pas le schéma Open Badges 3.0."},
	{CodeSchema, Skip}: {EN: "The schema check does not apply to this older form of credential.", FR: "La vérification du schéma ne s'applique pas à cette forme plus ancienne d'attestation."},

	{CodeStructure, Pass}: {EN: "The credential follows the Open Badges rules.", FR: "L'attestation respecte les règles Open Badges."},
	{CodeStructure, Fail}: {EN: "The credential breaks an Open Badges rule.", FR: "L'attestation enfreint une règle Open Badges."},

	{CodeProof, Pass}: {EN: "The signature is genuine: the badge has not been altered since it was issued.", FR: "La signature est authentique : le badge n'a pas été modifié depuis son émission."},
	{CodeProof, Fail}: {EN: "The signature does not hold: the badge was altered, or was not signed by the key it names.", FR: "La signature n'est pas valide : le badge a été modifié, ou n'a pas été signé par la clé qu'il indique."},
	{CodeProof, Warn}: {EN: "The signature could not be checked.", FR: "La signature n'a pas pu être vérifiée."},
	{CodeProof, Skip}: {EN: "This badge is not signed: its issuer's server vouches for it.", FR: "Ce badge n'est pas signé : c'est le serveur de son émetteur qui s'en porte garant."},

	{CodeIssuerKey, Pass}: {EN: "The signing key belongs to the issuer.", FR: "La clé de signature appartient à l'émetteur."},
	{CodeIssuerKey, Fail}: {EN: "The signing key does not belong to the issuer named in the badge.", FR: "La clé de signature n'appartient pas à l'émetteur nommé dans le badge."},
	{CodeIssuerKey, Skip}: {EN: "No signature to bind to the issuer.", FR: "Aucune signature à rattacher à l'émetteur."},

	{CodeValidFrom, Pass}: {EN: "The badge is in effect.", FR: "Le badge est en vigueur."},
	{CodeValidFrom, Fail}: {EN: "The badge is not valid yet.", FR: "Le badge n'est pas encore valide."},
	{CodeValidFrom, Skip}: {EN: "The badge gives no start date.", FR: "Le badge n'indique pas de date de début."},

	{CodeValidUntil, Pass}: {EN: "The badge has not expired.", FR: "Le badge n'est pas expiré."},
	{CodeValidUntil, Fail}: {EN: "The badge has expired.", FR: "Le badge est expiré."},
	{CodeValidUntil, Skip}: {EN: "The badge does not expire.", FR: "Le badge n'expire pas."},

	{CodeStatus, Pass}: {EN: "The issuer has neither revoked nor suspended the badge.", FR: "L'émetteur n'a ni révoqué ni suspendu le badge."},
	{CodeStatus, Fail}: {EN: "The issuer has revoked or suspended the badge.", FR: "L'émetteur a révoqué ou suspendu le badge."},
	{CodeStatus, Warn}: {EN: "The badge's status could not be checked; it is not known to be revoked.", FR: "Le statut du badge n'a pas pu être vérifié ; il n'est pas connu comme révoqué."},
	{CodeStatus, Skip}: {EN: "The badge has no status to check.", FR: "Le badge n'a pas de statut à vérifier."},

	{CodeEndorsements, Pass}: {EN: "Every endorsement is genuine.", FR: "Chaque recommandation est authentique."},
	{CodeEndorsements, Warn}: {EN: "An endorsement does not verify; the badge itself is not affected.", FR: "Une recommandation ne se vérifie pas ; le badge lui-même n'est pas touché."},
	{CodeEndorsements, Skip}: {EN: "The badge carries no endorsement.", FR: "Le badge ne porte aucune recommandation."},

	{CodeRecipient, Pass}: {EN: "The badge was issued to this e-mail address.", FR: "Le badge a été délivré à cette adresse courriel."},
	{CodeRecipient, Fail}: {EN: "The badge was not issued to this e-mail address.", FR: "Le badge n'a pas été délivré à cette adresse courriel."},
	{CodeRecipient, Skip}: {EN: "No e-mail address was given to compare with.", FR: "Aucune adresse courriel n'a été fournie pour la comparaison."},

	{CodeAssertion, Pass}: {EN: "The badge follows the Open Badges 2.0 rules.", FR: "Le badge respecte les règles Open Badges 2.0."},
	{CodeAssertion, Fail}: {EN: "The badge lacks information Open Badges requires, or gives it wrongly.", FR: "Il manque au badge des informations exigées par Open Badges, ou elles sont mal indiquées."},
	{CodeAssertion, Warn}: {EN: "The badge's contents could not be checked.", FR: "Le contenu du badge n'a pas pu être vérifié."},

	{CodeBadgeClass, Pass}: {EN: "The badge's description and its issuer's profile were found.", FR: "La description du badge et le profil de son émetteur ont été trouvés."},
	{CodeBadgeClass, Fail}: {EN: "The badge's description or its issuer's profile is missing or inconsistent.", FR: "La description du badge ou le profil de son émetteur est absent ou incohérent."},
	{CodeBadgeClass, Warn}: {EN: "The badge's description or its issuer's profile could not be retrieved.", FR: "La description du badge ou le profil de son émetteur n'a pas pu être récupéré."},

	{CodeHosted, Pass}: {EN: "The issuer's server still answers for this badge, exactly as shown.", FR: "Le serveur de l'émetteur répond toujours de ce badge, tel qu'il est présenté."},
	{CodeHosted, Fail}: {EN: "The issuer's server no longer hosts this badge, or hosts a different version of it: this copy was altered.", FR: "Le serveur de l'émetteur n'héberge plus ce badge, ou en héberge une autre version : cette copie a été modifiée."},
	{CodeHosted, Warn}: {EN: "The issuer's server could not be reached to confirm the badge.", FR: "Le serveur de l'émetteur n'a pas pu être joint pour confirmer le badge."},
	{CodeHosted, Skip}: {EN: "The badge is signed, not hosted by its issuer.", FR: "Le badge est signé, et non hébergé par son émetteur."},

	{CodeHostScope, Pass}: {EN: "The badge is hosted where its issuer publishes its badges.", FR: "Le badge est hébergé là où son émetteur publie ses badges."},
	{CodeHostScope, Fail}: {EN: "The badge is hosted outside the places its issuer allows: anyone could have published it.", FR: "Le badge est hébergé hors des emplacements autorisés par son émetteur : n'importe qui aurait pu le publier."},
	{CodeHostScope, Warn}: {EN: "Where the issuer allows its badges to be hosted could not be checked.", FR: "Les emplacements où l'émetteur autorise l'hébergement de ses badges n'ont pas pu être vérifiés."},
	{CodeHostScope, Skip}: {EN: "The badge is not hosted: no location to check.", FR: "Le badge n'est pas hébergé : aucun emplacement à vérifier."},

	{CodeCLR, Pass}: {EN: "The record is a Comprehensive Learner Record (CLR 2.0).", FR: "Le relevé est un relevé d'apprentissage complet (CLR 2.0)."},
	{CodeCLR, Fail}: {EN: "The record does not follow the CLR 2.0 rules.", FR: "Le relevé ne respecte pas les règles CLR 2.0."},

	{CodeIncluded, Pass}: {EN: "Every credential in the record is genuine, in effect and not revoked.", FR: "Chaque attestation du relevé est authentique, en vigueur et non révoquée."},
	{CodeIncluded, Warn}: {EN: "Some credentials in the record are genuine but revoked, suspended or expired.", FR: "Certaines attestations du relevé sont authentiques, mais révoquées, suspendues ou expirées."},
	{CodeIncluded, Fail}: {EN: "A credential in the record cannot be trusted.", FR: "Une attestation du relevé n'est pas digne de confiance."},
	{CodeIncluded, Skip}: {EN: "The record carries no credential to check.", FR: "Le relevé ne contient aucune attestation à vérifier."},

	{CodeLegacy, Warn}: {EN: "This is an Open Badges 1.0 badge: an older form, of which not everything can be checked.", FR: "Ce badge est au format Open Badges 1.0 : une forme ancienne, dont tout ne peut pas être vérifié."},
}

func message(code Code, outcome Outcome) Text {
	if t, ok := messages[textKey{code, outcome}]; ok {
		return t
	}
	// A missing sentence is a bug the catalogue test catches; still say something.
	return Text{EN: string(code) + ": " + string(outcome), FR: string(code) + " : " + string(outcome)}
}

// verdictReasons explains each verdict in plain language.
var verdictReasons = map[Verdict]Text{
	Valid:       {EN: "This badge is genuine, unaltered, in effect and not revoked.", FR: "Ce badge est authentique, intact, en vigueur et non révoqué."},
	Revoked:     {EN: "This badge is genuine but its issuer has revoked it.", FR: "Ce badge est authentique, mais son émetteur l'a révoqué."},
	Suspended:   {EN: "This badge is genuine but its issuer has suspended it.", FR: "Ce badge est authentique, mais son émetteur l'a suspendu."},
	Expired:     {EN: "This badge is genuine but has expired.", FR: "Ce badge est authentique, mais il est expiré."},
	NotYetValid: {EN: "This badge is genuine but not in effect yet.", FR: "Ce badge est authentique, mais il n'est pas encore en vigueur."},
	Invalid:     {EN: "This badge cannot be trusted.", FR: "Ce badge n'est pas digne de confiance."},
}
