// go-yaml-reader: reads YAML documents the way Drover's consumers do and prints what they see, for
// Drover's tests (issue 12: YAML that Go readers parse differently). Input on stdin: a JSON array of
// YAML texts. Output on stdout: a JSON array, one entry per text, with what two Go readers make of it:
//   "k8s": sigs.k8s.io/yaml (YAMLToJSON; the YAML 1.1 reader behind kubectl, kustomize, Flux, helm)
//   "v3":  go.yaml.in/yaml/v3 (the YAML 1.2-ish reader behind k3s's config loader and others)
// Each is {"value": <the document as JSON>} or {"error": "<message>"}. Multi-document texts give the
// documents as a JSON array under "docs" (v3 only reads them all).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

type result struct {
	Value json.RawMessage `json:"value,omitempty"`
	Error string          `json:"error,omitempty"`
}

type entry struct {
	K8s result `json:"k8s"`
	V3  result `json:"v3"`
}

// jsonable turns yaml.v3's decoded value into something encoding/json writes (map keys as strings).
func jsonable(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, x := range t {
			j, err := jsonable(x)
			if err != nil {
				return nil, err
			}
			out[k] = j
		}
		return out, nil
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, x := range t {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("a key that is not a string: %#v", k)
			}
			j, err := jsonable(x)
			if err != nil {
				return nil, err
			}
			out[ks] = j
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			j, err := jsonable(x)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	default:
		return v, nil
	}
}

func readK8s(text string) result {
	j, err := yaml.YAMLToJSONStrict([]byte(text))
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{Value: j}
}

func readV3(text string) result {
	dec := yamlv3.NewDecoder(bytes.NewReader([]byte(text)))
	var docs []interface{}
	for {
		var v interface{}
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return result{Error: err.Error()}
		}
		j, err := jsonable(v)
		if err != nil {
			return result{Error: err.Error()}
		}
		docs = append(docs, j)
	}
	var out interface{} = docs
	if len(docs) == 1 {
		out = docs[0]
	}
	b, err := json.Marshal(out)
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{Value: b}
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var texts []string
	if err := json.Unmarshal(in, &texts); err != nil {
		fmt.Fprintln(os.Stderr, "stdin must be a JSON array of YAML texts:", err)
		os.Exit(2)
	}
	out := make([]entry, len(texts))
	for i, t := range texts {
		out[i] = entry{K8s: readK8s(t), V3: readV3(t)}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
