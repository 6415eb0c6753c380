#!/usr/bin/env python3
"""pyHanko's judgement on every PDF of a corpus made by make_corpus.py, as JSON.

    pyhanko_validate.py CORPUS_DIR [--allow-sha1] > verdicts.json

With --allow-sha1, SHA-1 is not treated as weak (as lienthong's legacy setting, which
verifies it but reports it weak).

{"FILE": {"error": "..."} | {"signatures": [{"field", "bottom_line", "intact", "valid",
"trusted", "coverage", "modification_level", "docmdp_ok", "timestamp_ok"}]}}

Trust is the manifest's roots, intermediates and CRLs (files marked trust "none" get an
empty trust store); nothing is fetched. Certificates are checked as of the signer's claimed
time, as lienthong does for signatures without a time-stamp.
"""

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")

from asn1crypto import x509 as a_x509  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402

DIR = sys.argv[1]
with open(os.path.join(DIR, "manifest.json")) as f:
    manifest = json.load(f)


def load_certs(paths):
    out = []
    for p in paths:
        with open(os.path.join(DIR, p), "rb") as f:
            data = f.read()
        from asn1crypto import pem
        for _, _, der in pem.unarmor(data, multiple=True):
            out.append(a_x509.Certificate.load(der))
    return out


roots = load_certs(manifest["roots"])
inters = load_certs(manifest["intermediates"])
crls = []
for p in manifest["crls"]:
    with open(os.path.join(DIR, p), "rb") as f:
        crls.append(f.read())

LENIENT = len(sys.argv) > 2 and sys.argv[2] == "--allow-sha1"
result = {}
for entry in manifest["files"]:
    name = entry["name"]
    try:
        with open(os.path.join(DIR, name), "rb") as f:
            r = PdfFileReader(f, strict=True)
            sigs = []
            for es in r.embedded_signatures:
                moment = es.self_reported_timestamp
                vc = ValidationContext(
                    trust_roots=roots if entry["trust"] == "test" else [],
                    other_certs=inters,
                    crls=crls,
                    allow_fetching=False,
                    revocation_mode="soft-fail",
                    retroactive_revinfo=True,
                    moment=moment,
                    weak_hash_algos=set() if LENIENT else None,
                )
                if es.sig_object_type == "/DocTimeStamp":
                    st = validate_pdf_timestamp(es, validation_context=vc)
                else:
                    st = validate_pdf_signature(es, vc)
                ts = getattr(st, "timestamp_validity", None)
                # a document time-stamp's status has no bottom line: it holds when it is
                # intact, valid and trusted
                if hasattr(st, "bottom_line"):
                    bottom = st.bottom_line
                else:
                    bottom = st.intact and st.valid and st.trusted
                sigs.append({
                    "field": es.field_name,
                    "bottom_line": bool(bottom),
                    "intact": bool(st.intact),
                    "valid": bool(st.valid),
                    "trusted": bool(st.trusted),
                    "revoked": bool(getattr(st, "revoked", False)),
                    "coverage": str(st.coverage),
                    "modification_level": str(getattr(st, "modification_level", None)),
                    "docmdp_ok": getattr(st, "docmdp_ok", None),
                    "document_timestamp": es.sig_object_type == "/DocTimeStamp",
                    "timestamp_ok": None if ts is None else bool(ts.valid and ts.intact and ts.trusted),
                })
            result[name] = {"signatures": sigs}
    except Exception as e:  # an unreadable file is a finding, not a crash
        result[name] = {"error": "%s: %s" % (type(e).__name__, e)}

json.dump(result, sys.stdout, indent=1)
