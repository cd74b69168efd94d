package badge

import "strings"

// Slugify makes a slug from a name (a handle, a badge's address): the
// letters and digits of the name, accents folded, lower-cased, joined by
// single hyphens, cut to fit MaxSlugLen with room for a suffix. It may
// return "" for a name without letters or digits.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldAccents(name)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= MaxSlugLen-8 {
			break
		}
	}
	return b.String()
}

// foldAccents replaces the accented letters of French with their base
// letter, so "Hélène Côté" becomes "Helene Cote".
func foldAccents(s string) string {
	return accentFolder.Replace(s)
}

var accentFolder = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ô", "o", "ö", "o", "ó", "o", "ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ÿ", "y", "œ", "oe", "æ", "ae", "À", "a", "Â", "a", "Ç", "c", "É", "e", "È", "e", "Ê", "e",
	"Î", "i", "Ô", "o", "Ù", "u", "Û", "u", "Œ", "oe",
)
