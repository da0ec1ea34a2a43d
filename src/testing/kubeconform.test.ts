// The schema conversion must make kubeconform as strict as the API server: unknown fields, wrong types
// and bad quantities rejected; int-or-string, quantities and CRD kinds accepted where valid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubeconformTree } from "./kubeconform.js";
import { addFile, tree } from "../render/tree.js";

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.dev}
spec:
  group: example.dev
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer}
                port: {x-kubernetes-int-or-string: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

const good = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.29.3
          ports: [{containerPort: 80}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 1}}
          readinessProbe: {httpGet: {path: /, port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: example.dev/v1
kind: Widget
metadata: {name: w, namespace: demo}
spec: {size: 3, port: http, extra: {anything: [1, 2]}}
`;

test("kubeconform: valid core and custom resources pass -strict", () => {
  const dir = mkdtempSync(join(tmpdir(), "crd-"));
  writeFileSync(join(dir, "crd.yaml"), CRD);
  const t = tree();
  addFile(t, "a/good.yaml", good);
  addFile(t, "a/kustomization.yaml", "resources: [good.yaml]\n");
  const r = kubeconformTree(t, { crds: [join(dir, "crd.yaml")] });
  assert.deepEqual(r.problems, []);
  assert.equal(r.valid, 3);
});

test("kubeconform: unknown fields, wrong types, bad quantities and unknown kinds fail", () => {
  const dir = mkdtempSync(join(tmpdir(), "crd-"));
  writeFileSync(join(dir, "crd.yaml"), CRD);
  const bad = (s: string): string => {
    const t = tree();
    addFile(t, "bad.yaml", s);
    const r = kubeconformTree(t, { crds: [join(dir, "crd.yaml")] });
    assert.equal(r.problems.length, 1, `expected a problem for:\n${s}`);
    return r.problems[0]!.msg;
  };
  assert.match(bad(good.split("---")[0]!.replace("replicas: 2", "replicas: 2\n  replica: 3")), /replica/);
  assert.match(bad(good.split("---")[0]!.replace("replicas: 2", 'replicas: "two"')), /replicas/);
  assert.match(bad(good.split("---")[0]!.replace("cpu: 100m", "cpu: lots")), /cpu/);
  assert.match(bad("apiVersion: example.dev/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1, colour: red}\n"), /colour/);
  assert.match(bad("apiVersion: example.dev/v1\nkind: Widget\nmetadata: {name: w, labelz: {}}\nspec: {size: 1}\n"), /labelz/);
  assert.match(bad("apiVersion: example.dev/v1\nkind: Gadget\nmetadata: {name: w}\n"), /could not find schema/);
});
