/**
 * The Kubernetes objects of deploy/k8s/, and their validation against the
 * Kubernetes API's OpenAPI schemas as the kubernetes-models package ships
 * them (an API of 1.30 or later): types, required fields and enums. The
 * schemas allow unknown fields, so the deploy tests check the fields that
 * matter by name.
 */

import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import {
  deployFiles,
  objectAt,
  parseYamlDocuments,
  readDeployText,
  type Yaml,
} from './deploy-files.ts';

export interface K8sObject extends Yaml {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Yaml & { readonly name: string };
}

type Validating = new (data: never) => { validate(): void };
const MODELS: Record<string, Validating> = {
  'v1/Namespace': Namespace as unknown as Validating,
  'v1/ConfigMap': ConfigMap as unknown as Validating,
  'v1/Secret': Secret as unknown as Validating,
  'v1/Service': Service as unknown as Validating,
  'apps/v1/Deployment': Deployment as unknown as Validating,
  'apps/v1/StatefulSet': StatefulSet as unknown as Validating,
  'batch/v1/Job': Job as unknown as Validating,
};

/** Throws with the schema's message when the object is not valid for its kind. */
export function validateObject(object: K8sObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`${object.apiVersion} ${object.kind} is not a kind these tests know`);
  new Model(object as never).validate();
}

/** Objects of YAML text (one file, or `kubectl kustomize` output). */
export function objectsOf(text: string, name: string): K8sObject[] {
  return parseYamlDocuments(text, name).map((document, index) => {
    const object = objectAt(document, `${name} document ${index + 1}`);
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      throw new Error(`${name} document ${index + 1}: no apiVersion/kind`);
    }
    objectAt(object.metadata, `${name} ${object.kind} metadata`);
    return object as K8sObject;
  });
}

/** Every object of deploy/k8s/*.yaml, with the file it is in. */
export function k8sObjects(): Array<{ file: string; object: K8sObject }> {
  return deployFiles('k8s', '.yaml').flatMap((file) =>
    objectsOf(readDeployText('k8s', file), `k8s/${file}`).map((object) => ({
      file: `k8s/${file}`,
      object,
    })),
  );
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** The pod template's spec of a Deployment, StatefulSet or Job. */
export function podSpecOf(object: K8sObject): Yaml {
  const spec = objectAt(object.spec, `${object.kind} ${object.metadata.name} spec`);
  const template = objectAt(spec.template, `${object.metadata.name} template`);
  return objectAt(template.spec, `${object.metadata.name} pod spec`);
}

export function containersOf(object: K8sObject): Yaml[] {
  return (podSpecOf(object).containers as unknown[]).map((c, i) =>
    objectAt(c, `${object.metadata.name} container ${i}`),
  );
}
