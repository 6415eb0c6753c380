# How a client command reaches its gateway (crates/cli/src/remote/connection.rs and
# profile.rs): the connection options, profiles, and a call that got no answer said as what
# to do. English. Keep each message's variables the same as in vi/client.ftl.

## the connection options

client-help-gateway = Gateway URL, e.g. https://127.0.0.1:8441 (or LIENTHONG_GATEWAY, or a profile)
client-help-cert = Client certificate (PEM): an agency DMS certificate, or an operator's for `queue` (or LIENTHONG_CERT)
client-help-key = Client key (PKCS#8 PEM) (or LIENTHONG_KEY)
client-help-ca = CA certificate the gateway's certificate chains to (PEM), repeatable (or LIENTHONG_CA: one file)
client-help-profile = Connection profile from ~/.config/lienthong/profile.toml (or LIENTHONG_PROFILE; without it, the file's default profile). --gateway, --ca, --cert, --key and the LIENTHONG_* variables override it
client-missing = which gateway, as whom? Missing: { $what }. Give them on the command line, set the variables, or save them once as a profile: lienthong profile add NAME --gateway URL --ca FILE --cert FILE --key FILE

## profiles

client-help-profile-add = Save a connection profile (gateway, CA, certificate, key) under a name
client-help-profile-list = List the saved connection profiles
client-help-profile-remove = Delete a connection profile
client-help-profile-name = The profile's name (letters, digits, -, _ and .)
client-help-profile-default = Make it the default profile (used when --profile is not given; the first profile always is)
client-profile-header = # lienthong connection profiles, written by `lienthong profile add` (paths relative to this file's folder are allowed)
client-profile-added = profile { $name } saved in { $file }; use it with --profile { $name }
client-profile-added-default = profile { $name } saved in { $file }, as the default: client commands use it when no --profile is given
client-profile-removed = profile { $name } removed from { $file }
client-profile-none = no profiles yet ({ $file }): lienthong profile add NAME --gateway URL --ca FILE --cert FILE --key FILE
client-profile-file = profiles in { $file }:
client-profile-default-mark = * the default profile
client-profile-col-name = PROFILE
client-profile-col-gateway = GATEWAY
client-profile-col-cert = CERTIFICATE
client-profile-unknown = there is no profile { $name } in { $file } (profiles there: { $names })
client-profile-no-file = --profile { $name }: there is no profile file { $file } yet; make one with lienthong profile add { $name } --gateway URL --ca FILE --cert FILE --key FILE
client-profile-unreadable = cannot read the profiles in { $file }: { $error }
client-profile-too-big = the file is larger than 1 MiB
client-profile-bad-name = { $name } cannot be a profile name: use letters, digits, -, _ and . (at most 64)
client-profile-no-home = neither XDG_CONFIG_HOME nor HOME is set, so there is nowhere to keep profiles

## no answer: what to do

client-refused = nothing is listening on { $address }: the gateway is not running, or it listens on another port. Check the port in --gateway, and that the gateway is running (deploy/federation.sh status; systemctl status lienthong)
client-unresolved = the host name of { $url } cannot be found: check its spelling, or give the gateway's IP address
client-server-untrusted = the gateway { $url } presented a certificate that is not signed by the CA in --ca ({ $ca }). Give --ca the certificate of the CA that issued the gateway's certificate (for the development federation: certs-dev/ca.pem)
client-name-mismatch = the gateway's certificate is not issued for { $host }, the name in { $url }: connect with the name or address its certificate names (the development gateways: 127.0.0.1 or localhost)
client-server-expired = the certificate of the gateway { $url } has expired or is not valid yet: its operator must renew it (or this computer's clock is wrong)
client-cert-refused = the gateway { $url } refused your client certificate { $cert }: { $why ->
    [unknown-ca] it was not issued by a CA the gateway trusts
    [expired] it has expired or is not valid yet
    [revoked] it is revoked
    [missing] the gateway needs a client certificate and none was sent
   *[other] the gateway does not accept it
}. Use the certificate the gateway's operator issued to your agency's DMS (or to you as an operator), valid today and not revoked
client-closed = the gateway { $url } closed the connection without answering. Most often it refused your client certificate { $cert }: not issued by a CA it trusts, expired, revoked, or not a DMS or operator certificate. The gateway's log says which (look for "handshake")
