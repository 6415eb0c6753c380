#!/usr/bin/env python3
"""Make lienthong's PDF signature test corpus: a test PKI of our own and signed PDFs made
with pyHanko (and pikepdf for object streams), each with what it is meant to show.

    make_corpus.py OUT_DIR

Writes OUT_DIR/pki/*.pem, OUT_DIR/pki/*.crl, OUT_DIR/*.pdf and OUT_DIR/manifest.json:
{"files": [{"name", "meant", "trust": "test"|"none", "notes"}], "roots": [...],
 "intermediates": [...], "crls": [...]}. `meant` is the verdict the case is built to
have (valid, weak, untrusted, invalid, error); the test compares lienthong's verdict with
it and with pyHanko's and pdfsig's.

Everything is made here, at run time: no key or file is checked in.
"""

import asyncio
import datetime as dt
import io
import json
import os
import sys

from asn1crypto import keys as a_keys
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pyhanko.pdf_utils import generic, writer
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers import pdf_signer
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

OUT = sys.argv[1]
PKI = os.path.join(OUT, "pki")
os.makedirs(PKI, exist_ok=True)
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
VN = dt.timezone(dt.timedelta(hours=7))
AGENCY = "000.00.01.H50"
ORG = "Sở Thông tin và Truyền thông Tỉnh Thử"

# ---------------------------------------------------------------- the test PKI

_serial = [1000]


def key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def name(cn, o=None, extra=()):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    attrs += [x509.NameAttribute(oid, v) for oid, v in extra]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def cert(subject, k, issuer=None, ikey=None, ca=False, start=None, end=None,
         md=hashes.SHA256(), san=None, eku=None, pathlen=None):
    _serial[0] += 1
    issuer_name = issuer.subject if issuer else subject
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
         .public_key(k.public_key()).serial_number(_serial[0])
         .not_valid_before(start or NOW - dt.timedelta(days=365))
         .not_valid_after(end or NOW + dt.timedelta(days=5 * 365)))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen if ca else None), critical=True)
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
    if issuer is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ikey.public_key()), critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(u) for u in san]), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if issuer is not None and not ca and issuer.subject == INTER_NAME:
        # the issuing CA publishes a CRL: validators then must (and do) consult it
        b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://127.0.0.1:9/inter.crl")], None, None, None)]), critical=False)
    return b.sign(ikey or k, md)


def save(label, c, k=None):
    with open(os.path.join(PKI, label + ".pem"), "wb") as f:
        f.write(c.public_bytes(serialization.Encoding.PEM))
    if k is not None:
        with open(os.path.join(PKI, label + ".key.pem"), "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))


INTER_NAME = name("Lienthong Test Issuing CA", "Lienthong Test CA")
root_k = key()
root = cert(name("Lienthong Test Root G2", "Lienthong Test CA"), root_k, ca=True)
inter_k = key()
inter = cert(INTER_NAME, inter_k, root, root_k, ca=True, pathlen=0)
person_k = key()
person = cert(name("Nguyễn Văn An", ORG, [(NameOID.TITLE, "Giám đốc")]), person_k, inter, inter_k)
org_k = key()
org = cert(name(ORG, ORG, [(NameOID.USER_ID, "MST:0100000001"), (NameOID.USER_ID, "MNS:1000001")]), org_k, inter, inter_k,
           san=["urn:lienthong:agency:" + AGENCY])
expired_k = key()
expired = cert(name("Trần Thị Hết Hạn", ORG, [(NameOID.TITLE, "Chuyên viên")]), expired_k, inter, inter_k,
               start=NOW - dt.timedelta(days=800), end=NOW - dt.timedelta(days=400))
revoked_k = key()
revoked = cert(name("Lê Văn Thu Hồi", ORG, [(NameOID.TITLE, "Phó Giám đốc")]), revoked_k, inter, inter_k)
tsa_k = key()
tsa = cert(name("Lienthong Test TSA", "Lienthong Test CA"), tsa_k, inter, inter_k,
           eku=[ExtendedKeyUsageOID.TIME_STAMPING])
other_root_k = key()
other_root = cert(name("Some Other Root", "Not Trusted CA"), other_root_k, ca=True)
stranger_k = key()
stranger = cert(name("Người Lạ", "Cơ quan khác", [(NameOID.TITLE, "Văn thư")]), stranger_k, other_root, other_root_k)
# the legacy G1-like hierarchy: SHA-1 links. cryptography refuses to sign with SHA-1, so
# openssl (a test tool here) signs these.


def sha1_cert(label, subj, k, issuer_label=None, ext=()):
    import subprocess
    import tempfile
    kp = os.path.join(PKI, label + ".key.pem")
    with open(kp, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    out = os.path.join(PKI, label + ".pem")
    _serial[0] += 1
    with tempfile.NamedTemporaryFile("w", suffix=".ext", delete=False) as e:
        e.write("[v3]\n" + "\n".join(ext) + "\n")
        extfile = e.name
    csr = subprocess.run(["openssl", "req", "-new", "-utf8", "-key", kp, "-subj", subj],
                         check=True, capture_output=True).stdout
    if issuer_label is None:
        ca, cakey = [], ["-signkey", kp]
    else:
        ca = ["-CA", os.path.join(PKI, issuer_label + ".pem")]
        cakey = ["-CAkey", os.path.join(PKI, issuer_label + ".key.pem")]
    cmd = ["openssl", "x509", "-req", "-sha1", "-days", "1825",
           "-set_serial", str(_serial[0]), "-extfile", extfile, "-extensions", "v3", "-out", out] + ca + cakey
    subprocess.run(cmd, input=csr, check=True, capture_output=True)
    os.unlink(extfile)
    with open(out, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


CA_EXT = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign",
          "subjectKeyIdentifier=hash"]
g1_root_k = key()
g1_root = sha1_cert("g1-root", "/C=VN/O=Lienthong Test CA/CN=Lienthong Test Root G1", g1_root_k, None, CA_EXT)
g1_sub_k = key()
g1_sub = sha1_cert("g1-sub", "/C=VN/O=Lienthong Test CA/CN=Lienthong Test Sub G1", g1_sub_k, "g1-root",
                   CA_EXT + ["authorityKeyIdentifier=keyid"])
g1_signer_k = key()
g1_signer = sha1_cert("g1-signer", "/C=VN/O=%s/title=Trưởng phòng/CN=Phạm Văn Cũ" % ORG, g1_signer_k, "g1-sub",
                      ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,nonRepudiation",
                       "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"])
g1_tsa_k = key()
g1_tsa = sha1_cert("g1-tsa", "/C=VN/O=Lienthong Test CA/CN=Lienthong Test TSA G1", g1_tsa_k, "g1-sub",
                   ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,nonRepudiation",
                    "extendedKeyUsage=critical,timeStamping", "subjectKeyIdentifier=hash",
                    "authorityKeyIdentifier=keyid"])
short_k = key(1024)
short = cert(name("Khoá Ngắn", ORG, [(NameOID.TITLE, "Chuyên viên")]), short_k, inter, inter_k)

for label, c, k in [("root", root, root_k), ("inter", inter, inter_k), ("person", person, person_k),
                    ("org", org, org_k), ("expired", expired, expired_k), ("revoked", revoked, revoked_k),
                    ("tsa", tsa, tsa_k), ("other-root", other_root, None), ("stranger", stranger, stranger_k),
                    ("short", short, short_k)]:
    save(label, c, k)

crl = (x509.CertificateRevocationListBuilder().issuer_name(inter.subject)
       .last_update(NOW - dt.timedelta(days=1)).next_update(NOW + dt.timedelta(days=30))
       .add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(revoked.serial_number)
                                .revocation_date(NOW - dt.timedelta(days=2)).build())
       .add_extension(x509.CRLNumber(1), critical=False)
       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_k.public_key()), critical=False)
       .sign(inter_k, hashes.SHA256()))
with open(os.path.join(PKI, "inter.crl"), "wb") as f:
    f.write(crl.public_bytes(serialization.Encoding.DER))


def a_cert(c):
    return a_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def a_key(k):
    return a_keys.PrivateKeyInfo.load(k.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))


def signer_for(c, k, chain=()):
    return signers.SimpleSigner(signing_cert=a_cert(c), signing_key=a_key(k),
                                cert_registry=SimpleCertificateStore.from_certs([a_cert(x) for x in chain]))


def tsa_for(c=tsa, k=tsa_k, chain=(inter,), at=None):
    return DummyTimeStamper(tsa_cert=a_cert(c), tsa_key=a_key(k),
                            certs_to_embed=SimpleCertificateStore.from_certs([a_cert(x) for x in chain]),
                            fixed_dt=at)

# ---------------------------------------------------------------- documents


def base_pdf(text="Cong van so 123/STTTT-VP", stream_xrefs=False, pages=1):
    w = writer.PdfFileWriter(stream_xrefs=stream_xrefs)
    font = w.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
    }))
    for i in range(pages):
        body = ("BT /F1 14 Tf 40 700 Td (%s - trang %d) Tj ET" % (text, i + 1)).encode()
        page = writer.PageObject(
            contents=w.add_object(generic.StreamObject(stream_data=body)),
            media_box=(0, 0, 595, 842),
            resources=generic.DictionaryObject({
                generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}))
        w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


class FixedClock(dt.datetime):
    fixed = None

    @classmethod
    def now(cls, tz=None):
        return cls.fixed if cls.fixed is not None else dt.datetime.now(tz)


pdf_signer.datetime = FixedClock


def sign(data, who, field="Sig1", subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED, md="sha256",
         timestamper=None, claimed=None, certify=False, box=None):
    FixedClock.fixed = claimed
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=subfilter, md_algorithm=md,
                                        certify=certify,
                                        docmdp_permissions=MDPPerm.FILL_FORMS if certify else None)
    spec = fields.SigFieldSpec(field, box=box, on_page=0) if box else None
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = pdf_signer.PdfSigner(meta, signer=who, timestamper=timestamper, new_field_spec=spec).sign_pdf(w)
    FixedClock.fixed = None
    return out.getvalue()


def append_text(data):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    extra = w.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf 40 400 Td (DA DUYET 100 TY) Tj ET"))
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), extra])
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_page(data):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.PageObject(
        contents=w.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 40 700 Td (Trang them) Tj ET")),
        media_box=(0, 0, 595, 842))
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_annotation(data):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    annot = w.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
        generic.pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (10, 10, 30, 30)]),
        generic.pdf_name("/Contents"): generic.pdf_string("Đã xem"),
    }))
    annots = page.get("/Annots")
    arr = generic.ArrayObject(list(annots) if annots is not None else [])
    arr.append(annot)
    page["/Annots"] = arr
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def change_font(data):
    """Replace the signed text's font after signing (a shadow attack: the same text drawn
    with other glyphs)."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    font = page["/Resources"]["/Font"].raw_get("/F1").get_object()
    font["/BaseFont"] = generic.pdf_name("/Courier")
    w.update_container(font)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def move_signed_widget(data):
    """Change the widget of a field that is already signed."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    field = w.root["/AcroForm"]["/Fields"][0].get_object()
    field["/Rect"] = generic.ArrayObject([generic.NumberObject(x) for x in (100, 100, 300, 200)])
    w.update_container(field)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_text_field(data):
    """Add a new text form field, drawn on page 1, after signing."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref = w.root["/Pages"].raw_get("/Kids")[0]
    page = page_ref.get_object()
    field = w.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Widget"),
        generic.pdf_name("/FT"): generic.pdf_name("/Tx"),
        generic.pdf_name("/T"): generic.pdf_string("GhiChu"),
        generic.pdf_name("/V"): generic.pdf_string("Da duyet"),
        generic.pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (40, 600, 300, 640)]),
        generic.pdf_name("/P"): page_ref,
    }))
    if "/AcroForm" in w.root:
        acro = w.root["/AcroForm"]
        acro["/Fields"].append(field)
        w.update_container(acro)
    else:
        w.root["/AcroForm"] = w.add_object(generic.DictionaryObject({
            generic.pdf_name("/Fields"): generic.ArrayObject([field])}))
        w.update_root()
    annots = page.get("/Annots")
    arr = generic.ArrayObject(list(annots) if annots is not None else [])
    arr.append(field)
    page["/Annots"] = arr
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def fill_text_field(data, value):
    """Fill in the text field GhiChu that was there before signing."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    for f in w.root["/AcroForm"]["/Fields"]:
        field = f.get_object()
        if field.get("/FT") == "/Tx":
            field["/V"] = generic.pdf_string(value)
            w.update_container(field)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def flip_byte(data, marker=b"trang 1"):
    i = data.index(marker)
    b = bytearray(data)
    b[i] ^= 0x01
    return bytes(b)


def legacy_sha1(data, who_cert, who_key, chain):
    """Re-sign a detached signature as adbe.pkcs7.sha1: the CMS encapsulates the SHA-1 of
    the signed ranges. pyHanko cannot make this format, so it is built here."""
    old, new = b"/adbe.pkcs7.detached", b"/adbe.pkcs7.sha1    "
    assert data.count(old) == 1
    data = data.replace(old, new)
    import re
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    a, b, c, d = (int(x) for x in m.groups())
    h = hashes.Hash(hashes.SHA1())
    h.update(data[a:a + b])
    h.update(data[c:c + d])
    digest = h.finalize()
    s = signer_for(who_cert, who_key, chain)
    ci = asyncio.run(s.async_sign_general_data(digest, "sha1", detached=False))
    der = ci.dump()
    room = (c - b - 2) // 2
    assert len(der) <= room
    hexed = der.hex().encode() + b"0" * ((room - len(der)) * 2)
    return data[:b + 1] + hexed + data[c - 1:]


def linearized(data):
    import pikepdf
    src = pikepdf.open(io.BytesIO(data))
    out = io.BytesIO()
    src.save(out, linearize=True)
    return out.getvalue()


def _tlv(b, i):
    tag, length, j = b[i], b[i + 1], i + 2
    if length & 0x80:
        n = length & 0x7F
        length, j = int.from_bytes(b[j:j + n], "big"), j + n
    return tag, j, j + length


def _indefinite(b, depth):
    """Re-encode a DER value, and its constructed children `depth` levels down, with
    indefinite lengths (BER), as BouncyCastle-based signers write CMS."""
    tag, start, end = _tlv(b, 0)
    content, out, i = b[start:end], b"", 0
    while depth > 0 and i < len(content):
        t, _, ce = _tlv(content, i)
        child = content[i:ce]
        out += _indefinite(child, depth - 1) if (t & 0x20 and depth > 1) else child
        i = ce
    return bytes([tag, 0x80]) + (out if depth > 0 else content) + b"\0\0"


def ber_cms(data):
    """The same signature with its CMS re-encoded in BER: ContentInfo, its [0] and
    SignedData get indefinite lengths; the signed attributes are untouched."""
    import re
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    _, b, c, _ = (int(x) for x in m.groups())
    raw = bytes.fromhex(data[b + 1:c - 1].decode())
    ber = _indefinite(raw[:_tlv(raw, 0)[2]], 3)
    room = (c - b - 2) // 2
    assert len(ber) <= room and ber[1] == 0x80
    return data[:b + 1] + ber.hex().encode() + b"0" * ((room - len(ber)) * 2) + data[c - 1:]


def object_streams(data):
    import pikepdf
    src = pikepdf.open(io.BytesIO(data))
    out = io.BytesIO()
    src.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


files = []


def emit(name, data, meant, notes="", trust="test"):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    files.append({"name": name, "meant": meant, "notes": notes, "trust": trust})


P = signer_for(person, person_k, [inter])
O = signer_for(org, org_k, [inter])
base = base_pdf()
one = sign(base, P)
emit("01-person.pdf", one, "valid", "one signature by a person, adbe.pkcs7.detached")
two = sign(one, O, field="Sig2")
emit("02-person-then-organisation.pdf", two, "valid", "the person, then the clerk's organisation signature")
emit("03-organisation-cades.pdf", sign(base, O, subfilter=SigSeedSubFilter.PADES), "valid", "ETSI.CAdES.detached")
emit("04-attachment.pdf", sign(base_pdf("Phu luc kem theo"), O, box=(450, 780, 580, 830)), "valid",
     "an attachment with its own organisation signature, top-right of page 1")
emit("05-text-appended.pdf", append_text(one), "invalid", "page content changed after signing")
emit("06-page-added.pdf", add_page(one), "invalid", "a page added after signing")
emit("07-annotation-added.pdf", add_annotation(one), "invalid",
     "a comment added after signing (pyHanko's standard policy allows no annotations)")
certified = sign(base, O, certify=True)
emit("08-certified.pdf", certified, "valid", "a certification signature (DocMDP P=2)")
emit("09-certified-annotation.pdf", add_annotation(certified), "invalid", "a comment added after DocMDP P=2")
emit("10-byte-flipped.pdf", flip_byte(one), "invalid", "one byte changed inside the signed range")
emit("11-truncated.pdf", one[: len(one) - 300], "error", "the end of the file cut off")
emit("12-expired.pdf", sign(base, signer_for(expired, expired_k, [inter])), "invalid", "the signer's certificate had expired")
emit("13-revoked.pdf", sign(base, signer_for(revoked, revoked_k, [inter])), "invalid", "the signer's certificate is revoked (CRL)")
emit("14-untrusted.pdf", sign(base, signer_for(stranger, stranger_k, [other_root])), "untrusted", "a signer from an unknown CA")
emit("15-sha1.pdf", sign(base, P, md="sha1"), "weak", "a SHA-1 digest")
emit("16-leaf-only.pdf", sign(base, signer_for(org, org_k, [])), "valid", "the CMS carries only the signer's certificate")
emit("17-timestamped.pdf", sign(base, O, timestamper=tsa_for(at=NOW), claimed=NOW), "valid", "an RFC 3161 time-stamp")
local = NOW.astimezone(VN).replace(tzinfo=dt.timezone.utc)
emit("18-local-signing-time.pdf", sign(base, O, timestamper=tsa_for(at=NOW), claimed=local), "valid",
     "signingTime holds Vietnam local time labelled UTC")
emit("19-timestamp-earlier.pdf", sign(base, O, timestamper=tsa_for(at=NOW - dt.timedelta(minutes=15)), claimed=NOW),
     "valid", "the time-stamp is 15 minutes before the claimed time")

orig_tst_init = attributes.TSTProvider.__init__


def sha1_imprint(self, digest_algorithm, *a, **k):
    orig_tst_init(self, "sha1", *a, **k)


attributes.TSTProvider.__init__ = sha1_imprint
emit("20-timestamp-sha1-imprint.pdf",
     sign(base, O, timestamper=tsa_for(g1_tsa, g1_tsa_k, [g1_sub])), "valid",
     "a SHA-256 signature with a SHA-1 time-stamp imprint from a TSA under a SHA-1 hierarchy")
attributes.TSTProvider.__init__ = orig_tst_init
emit("21-xref-stream.pdf", sign(base_pdf(stream_xrefs=True), O), "valid", "cross-reference streams")
emit("22-object-streams.pdf", sign(object_streams(base_pdf(pages=3)), O), "valid", "object streams (pikepdf)")
emit("23-adbe-pkcs7-sha1.pdf", legacy_sha1(sign(base, P), person, person_k, [inter]), "weak",
     "the adbe.pkcs7.sha1 format")
emit("24-sha1-chain.pdf", sign(base, signer_for(g1_signer, g1_signer_k, [g1_sub])), "weak",
     "a signer under SHA-1 certificate links")
emit("25-rsa-1024.pdf", sign(base, signer_for(short, short_k, [inter])), "weak", "an RSA-1024 signer")
emit("26-no-trust.pdf", one, "untrusted", "a valid signature checked without any trust anchor", trust="none")
emit("27-two-then-text.pdf", append_text(two), "invalid", "two signatures, then the text changed")
emit("28-unsigned.pdf", base, "unsigned", "no signature at all")


def document_timestamp(data, timestamper):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = io.BytesIO()
    pdf_signer.PdfTimeStamper(timestamper).timestamp_pdf(w, "sha256", output=out)
    return out.getvalue()


lta = document_timestamp(sign(base, O), tsa_for())
emit("29-document-timestamp.pdf", lta, "valid", "an organisation signature, then a document time-stamp (ETSI.RFC3161)")
emit("30-document-timestamp-flipped.pdf", flip_byte(lta), "invalid", "a byte changed under a signature and a document time-stamp")
lin = sign(sign(linearized(base_pdf(pages=2)), P), O, field="Sig2")
emit("31-linearized.pdf", lin, "valid", "a linearized (fast web view) file signed twice")
emit("32-linearized-page-added.pdf", add_page(lin), "invalid", "a linearized signed file with a page added")
emit("33-ber-cms.pdf", ber_cms(one), "valid", "the CMS in BER with indefinite lengths")
emit("34-font-changed.pdf", change_font(one), "invalid", "the signed text's font replaced after signing")
emit("35-signed-widget-changed.pdf", move_signed_widget(one), "invalid", "the widget of a signed field changed after signing")
emit("36-form-field-added.pdf", add_text_field(one), "invalid", "a new text field drawn on the page after signing")
with_field = sign(add_text_field(base), O)
emit("37-form-field-filled.pdf", fill_text_field(with_field, "Da nhan"), "valid", "a text field that was there before signing, filled in after")

with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump({"files": files, "roots": ["pki/root.pem", "pki/g1-root.pem"],
               "intermediates": ["pki/inter.pem", "pki/g1-sub.pem"], "crls": ["pki/inter.crl"],
               "agency": AGENCY, "made_at": NOW.isoformat()}, f, indent=1, ensure_ascii=False)
print(len(files), "files in", OUT)
