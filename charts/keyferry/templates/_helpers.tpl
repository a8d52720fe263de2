{{/* The chart name, or nameOverride. */}}
{{- define "keyferry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* `<release>-<chart>` (just the release name when it contains the chart name), or fullnameOverride. */}}
{{- define "keyferry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "keyferry.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Cluster-scoped objects carry the release namespace, so two releases of the same name cannot collide. */}}
{{- define "keyferry.clusterScopedName" -}}
{{- printf "%s-%s" (include "keyferry.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "keyferry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keyferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "keyferry.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "keyferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: keyferry
{{- end }}

{{/* Labels of the operator's objects. */}}
{{- define "keyferry.labels" -}}
{{ include "keyferry.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels of what the chart creates for worker pods. */}}
{{- define "keyferry.workerLabels" -}}
{{ include "keyferry.commonLabels" . }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "keyferry.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "keyferry.serviceAccountName" -}}
{{- default (include "keyferry.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{/*
Namespaces where migrations run, as a JSON list: the watched ones, or the release namespace and
workerNamespaces when watching all namespaces.
*/}}
{{- define "keyferry.workerNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- toJson (uniq .Values.watchNamespaces) }}
{{- else }}
{{- toJson (uniq (prepend .Values.workerNamespaces .Release.Namespace)) }}
{{- end }}
{{- end }}

{{/* Value combinations that cannot work fail the install with the reason. */}}
{{- define "keyferry.validate" -}}
{{- if and .Values.watchNamespaces .Values.workerNamespaces }}
{{- fail "workerNamespaces is for watching all namespaces; with watchNamespaces set, each watched namespace gets the worker ServiceAccount: leave workerNamespaces empty" }}
{{- end }}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled: without it every replica would run the migrations" }}
{{- end }}
{{- end }}

{{/*
What the operator does in a watched namespace (docs/operator.md, Permissions): exactly the requests it sends,
as the operator tests record them (PermissionsOperatorTest).
*/}}
{{- define "keyferry.operatorRules" -}}
# The informer lists and watches DataMigrations; status is written by update, with optimistic locking. The
# finalizer that removes KeyFerry's keys from the target on deletion (spec.cleanup: Delete) is added and removed by
# patch.
- apiGroups: ["keyferry.io"]
  resources: ["datamigrations"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["keyferry.io"]
  resources: ["datamigrations/status"]
  verbs: ["update"]
# No request: Jobs and report ConfigMaps are created with an owner reference that blocks the migration's
# deletion, and clusters with the OwnerReferencesPermissionEnforcement admission plugin (OpenShift) require this.
- apiGroups: ["keyferry.io"]
  resources: ["datamigrations/finalizers"]
  verbs: ["update"]
# Jobs of a previous attempt are deleted before the new attempt starts; finished Jobs no longer needed (older
# attempts, verifications but the last five) are deleted with their report ConfigMaps, so objects stay bounded.
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch", "create", "delete"]
# The operator checks that the Secrets a spec refers to exist before a worker mounts them, and reads the
# routing flag store's credentials.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
# Worker pods that do not run are diagnosed from their status (image pulls, scheduling, missing Secrets, OOM kills,
# sidecars); a Job that creates no pod has its ServiceAccount looked up.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get"]
{{- end }}

{{/* The leader Lease: one per release, so two installations in one namespace never share it. */}}
{{- define "keyferry.leaseName" -}}
{{- include "keyferry.fullname" . }}
{{- end }}

{{/* The operator's ServiceAccount as a binding subject. */}}
{{- define "keyferry.operatorSubject" -}}
- kind: ServiceAccount
  name: {{ include "keyferry.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
