{{/*
Names, labels, and the rules every value set must follow. The rules repeat values.schema.json in the
templates because a schema cannot say in its own words what to fix, and because `--skip-schema-validation`
bypasses it: a release is never rendered from a placeholder.
*/}}

{{- define "mlaas-helper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mlaas-helper.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mlaas-helper.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mlaas-helper.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mlaas-helper.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mlaas-helper.labels" -}}
helm.sh/chart: {{ include "mlaas-helper.chart" . }}
{{ include "mlaas-helper.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: mlaas
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mlaas-helper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mlaas-helper.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mlaas-helper.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/* The port the helper listens on inside the pod (PORT); the image's HOST is 0.0.0.0. */}}
{{- define "mlaas-helper.containerPort" -}}5000{{- end }}

{{/* Where the data directory (MLAAS_DATA_DIR) and the mounted secrets live in the container. */}}
{{- define "mlaas-helper.dataDir" -}}/var/lib/mlaas{{- end }}
{{- define "mlaas-helper.threescaleKeyDir" -}}/etc/mlaas/secrets/threescale{{- end }}
{{- define "mlaas-helper.threescaleKeyFile" -}}admin-api-key{{- end }}

{{/* "true" when the 3scale backend is used. */}}
{{- define "mlaas-helper.usesThreescale" -}}
{{- if eq (toString .Values.apim.backend) "threescale" }}true{{ end }}
{{- end }}

{{/* "true" when more than one helper pod may run at once. */}}
{{- define "mlaas-helper.isMultiReplica" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* "true" when a Redis URL is configured, from the chart's Secret or an existing one. */}}
{{- define "mlaas-helper.hasRedis" -}}
{{- if or .Values.redis.existingSecret .Values.redis.url }}true{{ end }}
{{- end }}

{{- define "mlaas-helper.redisSecretName" -}}
{{- .Values.redis.existingSecret | default (include "mlaas-helper.fullname" .) }}
{{- end }}

{{- define "mlaas-helper.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}{{ .Values.redis.existingSecretKey }}{{ else }}redis-url{{ end }}
{{- end }}

{{- define "mlaas-helper.threescaleSecretName" -}}
{{- .Values.threescale.existingSecret | default (include "mlaas-helper.fullname" .) }}
{{- end }}

{{- define "mlaas-helper.threescaleSecretKey" -}}
{{- if .Values.threescale.existingSecret }}{{ .Values.threescale.existingSecretKey }}{{ else }}threescale-admin-api-key{{ end }}
{{- end }}

{{/* "true" when the chart must create its own Secret (a value given inline, not through existingSecret). */}}
{{- define "mlaas-helper.createsSecret" -}}
{{- $threescale := and (include "mlaas-helper.usesThreescale" .) (not .Values.threescale.existingSecret) .Values.threescale.adminApiKey }}
{{- $redis := and (not .Values.redis.existingSecret) .Values.redis.url }}
{{- $offboarding := and (not .Values.offboarding.existingSecret) .Values.offboarding.clientSecret }}
{{- if or $threescale $redis $offboarding }}true{{ end }}
{{- end }}

{{/* Where the entitlements policy is mounted, and whether there is one. */}}
{{- define "mlaas-helper.entitlementsDir" -}}/etc/mlaas/entitlements{{- end }}
{{- define "mlaas-helper.hasEntitlements" -}}
{{- if or .Values.entitlements.existingConfigMap .Values.entitlements.policy }}true{{ end }}
{{- end }}
{{- define "mlaas-helper.entitlementsConfigMapName" -}}
{{- .Values.entitlements.existingConfigMap | default (printf "%s-entitlements" (include "mlaas-helper.fullname" .)) }}
{{- end }}
{{- define "mlaas-helper.entitlementsConfigMapKey" -}}
{{- if .Values.entitlements.existingConfigMap }}{{ .Values.entitlements.existingConfigMapKey }}{{ else }}entitlements.yaml{{ end }}
{{- end }}

{{/* "true" when the offboarding client's secret comes from the chart's Secret or an existing one. */}}
{{- define "mlaas-helper.hasOffboardingSecret" -}}
{{- if and .Values.offboarding.clientId (or .Values.offboarding.existingSecret .Values.offboarding.clientSecret) }}true{{ end }}
{{- end }}
{{- define "mlaas-helper.offboardingSecretName" -}}
{{- .Values.offboarding.existingSecret | default (include "mlaas-helper.fullname" .) }}
{{- end }}
{{- define "mlaas-helper.offboardingSecretKey" -}}
{{- if .Values.offboarding.existingSecret }}{{ .Values.offboarding.existingSecretKey }}{{ else }}keycloak-admin-client-secret{{ end }}
{{- end }}

{{/* The environment entries taken from Secrets (Redis URL, offboarding client secret), for the pods and the CronJob. */}}
{{- define "mlaas-helper.secretEnv" -}}
{{- if include "mlaas-helper.hasRedis" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "mlaas-helper.redisSecretName" . }}
      key: {{ include "mlaas-helper.redisSecretKey" . }}
{{- end }}
{{- if include "mlaas-helper.hasOffboardingSecret" . }}
- name: KEYCLOAK_ADMIN_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "mlaas-helper.offboardingSecretName" . }}
      key: {{ include "mlaas-helper.offboardingSecretKey" . }}
{{- end }}
{{- end }}

{{/* "true" on OpenShift, where the SecurityContextConstraints pick the user, group and fsGroup. */}}
{{- define "mlaas-helper.adaptsToOpenShift" -}}
{{- $mode := toString .Values.openshift.adaptSecurityContext }}
{{- if or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "route.openshift.io/v1")) }}true{{ end }}
{{- end }}

{{- define "mlaas-helper.podSecurityContext" -}}
{{- $context := deepCopy (.Values.podSecurityContext | default dict) }}
{{- if include "mlaas-helper.adaptsToOpenShift" . }}
{{- $context = omit $context "runAsUser" "runAsGroup" "fsGroup" }}
{{- end }}
{{- toYaml $context }}
{{- end }}

{{- define "mlaas-helper.containerSecurityContext" -}}
{{- $context := deepCopy (.Values.securityContext | default dict) }}
{{- if include "mlaas-helper.adaptsToOpenShift" . }}
{{- $context = omit $context "runAsUser" "runAsGroup" }}
{{- end }}
{{- toYaml $context }}
{{- end }}

{{/*
The helper's environment (non-secret part), as a YAML map of variable name to string. The chart's own
settings come first; extraConfig adds others (validation refuses to let it override one of these).
*/}}
{{- define "mlaas-helper.chartConfig" -}}
{{- $v := .Values }}
{{- $data := dict
  "HOST" "0.0.0.0"
  "PORT" (include "mlaas-helper.containerPort" .)
  "LOG_LEVEL" (toString $v.logLevel)
  "KEYCLOAK_CLIENT_ID" (toString $v.keycloak.clientId)
  "OIDC_ACCEPT_AZP" (toString $v.keycloak.acceptAzp)
  "OIDC_ALLOW_HTTP" (toString $v.oidc.allowHttp)
  "APIM_BACKEND" (toString $v.apim.backend)
  "AUTO_CREATE_ACCOUNTS" (toString $v.apim.autoCreateAccounts)
  "EXPOSE_KEYS_IN_LIST" (toString $v.apim.exposeKeysInList)
  "WEB_UI" (toString $v.webUi.enabled)
  "WEB_UI_CLIENT_ID" (toString $v.webUi.clientId)
  "MLAAS_DATA_DIR" (include "mlaas-helper.dataDir" .)
  "RATE_LIMIT_USER_PER_MINUTE" (toString (int $v.rateLimits.userPerMinute))
  "RATE_LIMIT_IP_PER_MINUTE" (toString (int $v.rateLimits.ipPerMinute))
  "RATE_LIMIT_INIT_PER_MINUTE" (toString (int $v.rateLimits.initPerMinute))
  "TRUST_PROXY" (toString $v.trustProxy)
  "SHUTDOWN_TIMEOUT_MS" (toString (int $v.shutdownTimeoutMs))
  "METRICS_ENABLED" (toString $v.metrics.enabled)
  "KEY_TTL_DAYS" (toString (int $v.keys.ttlDays))
  "KEY_ROTATION_GRACE_SECONDS" (toString (int $v.keys.rotationGraceSeconds))
  "KEY_ROTATION_MAX_GRACE_SECONDS" (toString (int $v.keys.rotationMaxGraceSeconds))
  "RECONCILE_INTERVAL_SECONDS" (ternary "0" (toString (int $v.reconcile.intervalSeconds)) $v.reconcile.cronJob.enabled)
  "RECONCILE_CALLS_PER_MINUTE" (toString (int $v.reconcile.callsPerMinute))
  "RECONCILE_CONCURRENCY" (toString (int $v.reconcile.concurrency))
}}
{{- with $v.keycloak.url }}{{ $_ := set $data "KEYCLOAK_URL" (toString .) }}{{ end }}
{{- with $v.keycloak.realm }}{{ $_ := set $data "KEYCLOAK_REALM" (toString .) }}{{ end }}
{{- with $v.keycloak.audience }}{{ $_ := set $data "KEYCLOAK_AUDIENCE" (toString .) }}{{ end }}
{{- with $v.oidc.issuer }}{{ $_ := set $data "OIDC_ISSUER" (toString .) }}{{ end }}
{{- with $v.oidc.userIdClaims }}{{ $_ := set $data "USER_ID_CLAIMS" (toString .) }}{{ end }}
{{- $_ := set $data "OFFBOARDING" (toString $v.offboarding.enabled) }}
{{- with $v.offboarding.clientId }}{{ $_ := set $data "KEYCLOAK_ADMIN_CLIENT_ID" (toString .) }}{{ end }}
{{- if include "mlaas-helper.hasEntitlements" . }}
{{- $_ := set $data "ENTITLEMENTS_FILE" (printf "%s/entitlements.yaml" (include "mlaas-helper.entitlementsDir" .)) }}
{{- end }}
{{- if include "mlaas-helper.usesThreescale" . }}
{{- $_ := set $data "THREESCALE_ADMIN_API_URL" (toString $v.threescale.adminApiUrl) }}
{{- $_ := set $data "THREESCALE_ADMIN_API_KEY_FILE" (printf "%s/%s" (include "mlaas-helper.threescaleKeyDir" .) (include "mlaas-helper.threescaleKeyFile" .)) }}
{{- end }}
{{- if and $v.metrics.enabled $v.metrics.port }}
{{- $_ := set $data "METRICS_PORT" (toString (int $v.metrics.port)) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* The ConfigMap's data: the chart's settings plus extraConfig. */}}
{{- define "mlaas-helper.configData" -}}
{{- $data := include "mlaas-helper.chartConfig" . | fromYaml }}
{{- range $name, $value := (.Values.extraConfig | default dict) }}
{{- if not (hasKey $data $name) }}{{ $_ := set $data $name (toString $value) }}{{ end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
Placeholders left from an example: "your-…" names or hosts, change-me / replace-me, <angle brackets>, and the
example domains of RFC 2606. values.schema.json uses the same expression.
*/}}
{{- define "mlaas-helper.placeholderPattern" -}}
(?i)((^|//|[.@])your[-_]|change-?me|replace-?me|^<.*>$|(^|[/@.])example\.(com|org|net)([:/?#]|$))
{{- end }}

{{/*
Appends a problem to $problems when $value is a placeholder, or empty while required.
Arguments (dict): problems, name (the value's path), value, hint (what to set it to), required.
*/}}
{{- define "mlaas-helper.checkValue" -}}
{{- $value := toString (.value | default "") }}
{{- if and .required (eq (trim $value) "") }}
{{- $_ := set .problems "list" (append .problems.list (printf "%s is required: set it to %s" .name .hint)) }}
{{- else if regexMatch (include "mlaas-helper.placeholderPattern" .) $value }}
{{- $_ := set .problems "list" (append .problems.list (printf "%s is a placeholder: set it to %s" .name .hint)) }}
{{- end }}
{{- end }}

{{/* Fails the rendering with every problem of the values at once. */}}
{{- define "mlaas-helper.validate" -}}
{{- $v := .Values }}
{{- $problems := dict "list" list }}
{{- $oidcIssuer := toString ($v.oidc.issuer | default "") }}
{{- $needsKeycloak := eq (trim $oidcIssuer) "" }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "keycloak.url" "value" $v.keycloak.url "required" $needsKeycloak "hint" "your Keycloak base URL (https://…, without /realms/…)") }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "keycloak.realm" "value" $v.keycloak.realm "required" $needsKeycloak "hint" "the Keycloak realm your users sign in to") }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "keycloak.clientId" "value" $v.keycloak.clientId "required" true "hint" "the Keycloak client id the mlaas CLI signs in with") }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "keycloak.audience" "value" $v.keycloak.audience "required" false "hint" "the audience of your access tokens, or leave it empty") }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "oidc.issuer" "value" $oidcIssuer "required" false "hint" "your OpenID Connect issuer URL, or leave it empty to use keycloak.url and keycloak.realm") }}
{{- if include "mlaas-helper.usesThreescale" . }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "threescale.adminApiUrl" "value" $v.threescale.adminApiUrl "required" true "hint" "your 3scale admin portal URL (https://<tenant>-admin.<domain>)") }}
{{- if $v.threescale.existingSecret }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "threescale.existingSecret" "value" $v.threescale.existingSecret "required" true "hint" "the name of the Secret that holds the 3scale access token") }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "threescale.existingSecretKey" "value" $v.threescale.existingSecretKey "required" true "hint" "the key of the 3scale access token in threescale.existingSecret") }}
{{- else if $v.threescale.adminApiKey }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "threescale.adminApiKey" "value" $v.threescale.adminApiKey "required" true "hint" "a 3scale access token (or use threescale.existingSecret)") }}
{{- else }}
{{- $_ := set $problems "list" (append $problems.list "threescale.adminApiKey is required: set it to a 3scale access token, or set threescale.existingSecret to the Secret that holds it") }}
{{- end }}
{{- end }}
{{- if $v.redis.existingSecret }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "redis.existingSecret" "value" $v.redis.existingSecret "required" true "hint" "the name of the Secret that holds the Redis URL") }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "redis.existingSecretKey" "value" $v.redis.existingSecretKey "required" true "hint" "the key of the Redis URL in redis.existingSecret") }}
{{- else if $v.redis.url }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "redis.url" "value" $v.redis.url "required" true "hint" "your Redis URL (redis://… or rediss://…)") }}
{{- if not (regexMatch "^rediss?://" (toString $v.redis.url)) }}
{{- $_ := set $problems "list" (append $problems.list "redis.url must start with redis:// or rediss://") }}
{{- end }}
{{- end }}
{{- if and (include "mlaas-helper.isMultiReplica" .) (not (include "mlaas-helper.hasRedis" .)) }}
{{- $_ := set $problems "list" (append $problems.list "replicaCount > 1 or autoscaling.enabled: limits and init locks must be shared: set redis.url or redis.existingSecret") }}
{{- end }}
{{- if and (eq (toString $v.apim.backend) "embedded") (include "mlaas-helper.isMultiReplica" .) }}
{{- $_ := set $problems "list" (append $problems.list "apim.backend=embedded keeps its SQLite database in one pod: set replicaCount to 1 and autoscaling.enabled to false, or use apim.backend=threescale") }}
{{- end }}
{{- if $v.ingress.enabled }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "ingress.host" "value" $v.ingress.host "required" true "hint" "the host name clients reach the helper at") }}
{{- end }}
{{- if $v.route.enabled }}
{{- include "mlaas-helper.checkValue" (dict "problems" $problems "name" "route.host" "value" $v.route.host "required" false "hint" "the host name clients reach the helper at, or leave it empty for a generated one") }}
{{- end }}
{{- if and $v.metrics.port (eq (int $v.metrics.port) (int (include "mlaas-helper.containerPort" .))) }}
{{- $_ := set $problems "list" (append $problems.list (printf "metrics.port must differ from the API port %s (or be 0 to serve /metrics on the API port)" (include "mlaas-helper.containerPort" .))) }}
{{- end }}
{{- $chartConfig := include "mlaas-helper.chartConfig" . | fromYaml }}
{{- range $name, $value := ($v.extraConfig | default dict) }}
{{- if hasKey $chartConfig $name }}
{{- $_ := set $problems "list" (append $problems.list (printf "extraConfig.%s is set by the chart: use its value instead (see values.yaml)" $name)) }}
{{- else if or (eq $name "REDIS_URL") (eq $name "HOST") (eq $name "PORT") }}
{{- $_ := set $problems "list" (append $problems.list (printf "extraConfig.%s is managed by the chart: use its value instead (see values.yaml)" $name)) }}
{{- else if and (regexMatch "KEY|TOKEN|PASSWORD|SECRET|CREDENTIAL" $name) (not (hasSuffix "_FILE" $name)) }}
{{- $_ := set $problems "list" (append $problems.list (printf "extraConfig.%s looks like a secret, and extraConfig goes into a ConfigMap: put it in a Secret and pass it with extraEnv (valueFrom.secretKeyRef)" $name)) }}
{{- end }}
{{- end }}
{{- $stopSeconds := add (int $v.lifecycle.preStopSleepSeconds) (div (add (int $v.shutdownTimeoutMs) 999) 1000) }}
{{- if ge $stopSeconds (int $v.terminationGracePeriodSeconds) }}
{{- $_ := set $problems "list" (append $problems.list (printf "terminationGracePeriodSeconds (%d) must be longer than lifecycle.preStopSleepSeconds + shutdownTimeoutMs (%d s), or in-flight requests are cut off" (int $v.terminationGracePeriodSeconds) $stopSeconds)) }}
{{- end }}
{{- if $problems.list }}
{{- fail (printf "\n\nmlaas-helper: the values need fixing:\n  - %s\n" (join "\n  - " $problems.list)) }}
{{- end }}
{{- end }}
