// Package jsonld implements the parts of JSON-LD 1.1 that Data Integrity
// needs: expansion and deserialization to RDF (toRdf). It never fetches:
// contexts come from a DocumentLoader, by default the bundled one.
package jsonld
