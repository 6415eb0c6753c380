# The gateway's configuration (lienthong-gateway, `serve --config`, `serve --check`): its
# problems and warnings, and the errors of starting. Key names, units and technical names
# stay as written; a value that starts with a key like `[limits]` or `identity[0]` takes it
# from a variable.

## The error as a whole, and what is wrong with the file itself.
config-error = config { $file }: { $problems }
config-cannot-read = cannot read: { $error }
config-toml = { $detail }
config-detail = { $detail }
config-key-error = { $key }: { $error }
config-bad-value = { $key } '{ $value }': { $error }
config-file-missing = { $key }: file { $path } does not exist

## Files, folders and trust.
config-store-data-dir = gateway.data_dir: the store folder is needed with the embedded store (store.engine = "sled", the default); or set store.engine = "postgres"
config-store-sled-extra = store: url, password_file and tls are for store.engine = "postgres"; the embedded store (sled) uses gateway.data_dir
config-store-url-missing = store.url: store.engine = "postgres" needs the database, postgres://USER@HOST:PORT/DATABASE
config-store-range = { $key } = { $value }: { $min } to { $max }
config-backup-inside-data = backup.dir { $path }: inside gateway.data_dir; backups go elsewhere (another disk if you can)
config-client-ca-none = tls.client_ca: at least one CA is needed (mutual TLS everywhere)
config-document-roots-none = trust.document_roots: policy 'require' needs at least one root

## [limits], [forward], [retry].
config-limits-zero = limits: sizes and counts must be above zero
config-limits-buffered = limits.max_buffered_body_bytes ({ $buffered }) must be at least limits.max_body_bytes ({ $body }): the largest body must fit
config-limits-buffered-per-identity = limits.max_buffered_body_bytes_per_identity ({ $buffered }) must be at least limits.max_body_bytes ({ $body }): one client's largest body must fit
config-limits-head = limits: max_uri_bytes (1 to { $uri }), max_header_bytes (1 to { $header_bytes }) and max_headers (1 to { $headers }): the HTTP stack's own limits lie above these, and answer without a JSON error
config-min-rate-zero = limits.min_bytes_per_second and forward.min_bytes_per_second must be above zero
config-peer-rate-zero = limits.per_peer_rate and per_peer_burst must be above zero
config-connection-limits-zero = limits: connection caps and timeouts must be above zero
config-limits-anonymous = limits.max_anonymous_connections ({ $anonymous }) must be below limits.max_connections ({ $connections }): clients without a certificate must never fill the pool
config-forward-probe = forward: probe_min_ms at least 100, and probe_max_ms at least probe_min_ms
config-forward-lease = forward: concurrency_per_peer must be above zero and lease_ms at least 1000
config-retry = retry: base_ms and max_attempts above zero, factor at least 1

## Peers, identities and routing.
config-url-https = { $key } '{ $url }': an https:// URL with a host is needed
config-identity-one = { $key }: exactly one of agency, gateway, operator, monitor is needed
config-identity-fingerprint = { $key }: 64 hex digits (SHA-256 of the certificate) expected
config-directory-unreadable = directory: cannot read { $path }: { $error }
config-directory-without-self = directory { $path }: this gateway ({ $id }) is not in it
config-directory-invalid = directory { $path }: { $error }
config-local-view = routing from [parent]/[[child]]/[[agency]]: { $error }
config-gateway-id-empty = gateway id is empty
config-gateway-id-too-long = gateway id '{ $id }' is longer than 63 characters
config-gateway-id-bad-char = gateway id '{ $id }' has character '{ $character }' (only a-z, 0-9 and '-' are allowed)

## Warnings: valid, but probably not what was meant.
config-warn-child-without-agencies = child '{ $child }' lists no agencies and no directory file is given: nothing will be routed to it, and relays from the parent for its agencies will be refused; list them in `agencies = [...]` or set `directory`
config-warn-agencies-ignored = { $count } [[agency]] entries ({ $pins } pinned signers) are ignored because `directory` is set: the directory file's agencies and their `signers` are used; move them there

## [calendar] and [compliance].
config-calendar-order = calendar: the working day ends ({ $end }) before it starts ({ $start })
config-calendar-not-date = calendar: '{ $given }' is not a date (YYYY-MM-DD)
config-calendar-not-time = calendar: '{ $given }' is not a time of day (HH:MM, 00:00 to 24:00)
config-compliance-target = compliance: { $key } = { $value }: a share above 0, at most 1
config-compliance-weights = compliance: signed_weight = { $signed }, same_day_weight = { $same_day }: weights of 0 or more, not both 0
config-subtree-budget = compliance.subtree_budget_ms = { $value }: 1000 to 120000

## [vxp] and [uplink.vxp].
config-secret-unreadable = cannot read { $path }: { $error }
config-secret-short = { $path }: a secret of at least { $min } bytes is needed
config-vxp-plain-http = vxp.listen { $addr }: plain HTTP only on a loopback address; set tls = true, or allow_plain_http = true on a trusted segment
config-vxp-no-system = vxp: at least one [[vxp.system]] is needed
config-vxp-system-id = { $key } '{ $id }': 1 to 128 visible ASCII characters
config-vxp-no-agency = { $key }: at least one agency
config-vxp-agency-elsewhere = { $key }: { $agency } is homed at { $home }, not here; its system connects there
config-vxp-agency-unknown = { $key }: { $agency } is not in the directory
config-vxp-agency-taken = { $key }: { $agency } already belongs to system '{ $system }'; an agency is received for by one system
config-vxp-system-twice = { $key } '{ $id }' appears twice
config-uplink-https-without-ca = uplink.vxp.ca: an https endpoint needs the CA its certificate chains to
config-uplink-endpoint = uplink.vxp.endpoint '{ $endpoint }': an http:// or https:// URL with a host is needed
config-uplink-id-taken = uplink.vxp.id '{ $id }': a gateway of the directory has this id; the uplink needs its own
config-uplink-system = uplink.vxp.system: the systemid, visible ASCII characters
config-uplink-poll = uplink.vxp.poll_interval_ms: at least 100

## Starting: the causes come from the key, certificate and store libraries, as written.
config-start-tls = TLS: { $detail }
config-start-keys = keys: { $detail }
config-start-store = store: { $detail }
config-start-config = configuration: { $detail }
config-start-bind = cannot listen on { $addr }: { $error }
