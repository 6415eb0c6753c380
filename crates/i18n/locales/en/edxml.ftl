# edXML reading (lienthong-edxml): errors and warnings.

## The strict XML reader (lienthong-xml): what is wrong with a file that is not XML.
xml-position = line { $line }, column { $column }
xml-error-at = { $what } (line { $line }, column { $column })
xml-doctype = DOCTYPE declarations are not allowed (DTDs, external entities and entity expansion are refused)
xml-undeclared-prefix = namespace prefix '{ $prefix }' is not declared
xml-multiple-roots = more than one root element (second root is <{ $name }>)
xml-no-root = no root element
xml-mismatched-tag = mismatched end tag: expected </{ $expected }>, found </{ $found }>
xml-unmatched-end-tag = end tag </{ $name }> has no matching start tag
xml-truncated-element = unexpected end of input: element <{ $name }> is not closed
xml-truncated-tag = unexpected end of input: tag not closed: `>` not found before end of input
xml-truncated-comment = unexpected end of input: comment not closed: `-->` not found before end of input
xml-truncated-cdata = unexpected end of input: CDATA not closed: `]]>` not found before end of input
xml-truncated-pi = unexpected end of input: processing instruction not closed: `?>` not found before end of input
xml-truncated-declaration = unexpected end of input: XML declaration not closed: `?>` not found before end of input
xml-truncated-attribute-double = unexpected end of input: attribute value not closed: `"` not found before end of input
xml-truncated-attribute-single = unexpected end of input: attribute value not closed: `'` not found before end of input
xml-truncated = unexpected end of input: { $detail }
xml-invalid-utf8 = invalid UTF-8
xml-unsupported-encoding-utf16-no-bom = unsupported encoding 'UTF-16 (no byte order mark)': only UTF-8 is accepted
xml-unsupported-encoding = unsupported encoding '{ $encoding }': only UTF-8 is accepted
xml-duplicate-attribute = duplicate attribute '{ $name }'
xml-text-outside-root = text outside the root element
xml-limit-total-size = document size limit exceeded (limit { $limit })
xml-limit-depth = element depth limit exceeded (limit { $limit })
xml-limit-attributes = attributes per element limit exceeded (limit { $limit })
xml-limit-name-length = name length limit exceeded (limit { $limit })
xml-limit-text-size = text node size limit exceeded (limit { $limit })
xml-limit-nodes = node count limit exceeded (limit { $limit })
xml-limit-attribute-value-size = attribute value size limit exceeded (limit { $limit })
xml-invalid-name = invalid name '{ $name }'
xml-invalid-char = character U+{ $code } is not allowed in XML
xml-unknown-entity = unknown entity reference '&{ $name };' (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)
xml-invalid-char-ref = invalid character reference '&{ $name };'
xml-lt-in-attribute = '<' is not allowed in attribute values
xml-namespace-element-xmlns = invalid namespace declaration: elements may not have the prefix 'xmlns'
xml-namespace-declare-xmlns = invalid namespace declaration: the prefix 'xmlns' must not be declared
xml-namespace-xml-prefix = invalid namespace declaration: the prefix 'xml' is bound to its own namespace
xml-namespace-undeclare = invalid namespace declaration: a prefix cannot be undeclared with an empty URI in XML 1.0
xml-namespace-xml-uri = invalid namespace declaration: the XML namespace may only be bound to 'xml'
xml-namespace-xmlns-uri = invalid namespace declaration: the xmlns namespace must not be declared
xml-namespace = invalid namespace declaration: { $detail }
xml-misplaced-declaration = XML declaration is only allowed at the start of the document
xml-syntax-version = syntax error: unsupported XML version '{ $version }'
xml-syntax-version-not-first = syntax error: ill-formed document: an XML declaration must start with `version` attribute, but in starts with `{ $attribute }`
xml-syntax-cdata-end = syntax error: ']]>' is not allowed in character data
xml-syntax-amp-in-attribute = syntax error: '&' in attribute value is not followed by a reference
xml-syntax-markup = syntax error: syntax error: unknown or missed symbol in markup
xml-syntax-no-version = syntax error: ill-formed document: an XML declaration does not contain `version` attribute
xml-syntax-unknown-version = syntax error: ill-formed document: unknown XML version: either 1.0 or 1.1 is expected
xml-syntax-double-hyphen = syntax error: ill-formed document: forbidden string `--` was found in a comment
xml-syntax-unclosed-reference = syntax error: ill-formed document: entity or character reference not closed: `;` not found before end of input
xml-syntax-attribute-expected-eq = syntax error: position { $position }: attribute key must be directly followed by `=` or space
xml-syntax-attribute-expected-value = syntax error: position { $position }: `=` must be followed by an attribute value
xml-syntax-attribute-unquoted = syntax error: position { $position }: attribute value must be enclosed in `"` or `'`
xml-syntax-attribute-expected-quote = syntax error: position { $position }: missing closing quote `{ $quote }` in attribute value
xml-syntax = syntax error: { $detail }

## Why a file cannot be read as edXML.
edxml-not-xml = not readable as XML: { $what } (line { $line }, column { $column })
edxml-not-edxml-namespace = not an edXML file: the root element { $found } is in the wrong namespace (expected { $namespace }) (line { $line }, column { $column })
edxml-not-edxml-root = not an edXML file: the root element is { $found }, expected { $expected } (line { $line }, column { $column })
edxml-ambiguous = { $what } appears more than once in { $parent } (line { $line }, column { $column }: the second one)
edxml-missing = { $what } is missing in { $parent } (line { $line }, column { $column })

## Agency codes.
edxml-agency-empty = agency code is empty
edxml-agency-too-long = agency code '{ $code }' is longer than 35 characters
edxml-agency-bad-char = agency code '{ $code }' has character '{ $character }' (only 0-9, A-Z and '.' are allowed)

## Attachments: what could not be read in their bytes (the libraries' details stay in English).
edxml-base64-invalid = the base64 content is invalid: { $detail }
edxml-zip-damaged = the ZIP archive is damaged: { $detail }
edxml-zip-too-many-entries = the ZIP archive is damaged: { $count } entries (more than { $max })
edxml-zip-entry-damaged = the ZIP archive is damaged: entry { $index }: { $detail }
edxml-pdf-too-big = { $size } bytes, more than the { $max } read
edxml-pdf-entry-unreadable = the archive entry cannot be read: { $detail }
edxml-pdf-over-limit = more than the { $max } bytes read
edxml-attachment-problem = { $problem }

## Warnings: what is odd in a file that was read all the same.
edxml-multiple-signatures = { $count } Signature elements found
edxml-signature-misplaced = the Signature is not in edXMLHeader, where edXML places it
edxml-legacy-signature = the Signature is not in the XML Signature namespace (legacy SDK form); it cannot be verified
edxml-no-recipients = the document has no To (no recipient)
edxml-duplicate-recipient = recipient { $recipient } appears more than once in To
edxml-recipient-skipped-missing = { $what } is missing in { $parent } (line { $line }, column { $column }); this To was skipped
edxml-recipient-skipped-ambiguous = { $what } appears more than once in { $parent } (line { $line }, column { $column }: the second one); this To was skipped
edxml-recipient-skipped = { $problem }; this To was skipped
edxml-no-subject = the document has no Subject
edxml-no-content-id = (no ContentId)
edxml-manifest-without-attachment = manifest entry { $content_id } has no attachment
edxml-attachment-not-in-manifest = attachment { $content_id } is not listed in the manifest
edxml-attachment-unnamed = (unnamed)
edxml-attachment-base64-invalid = attachment { $name }: the base64 content is invalid: { $detail }
edxml-attachment-zip-damaged = attachment { $name }: the ZIP archive is damaged: { $detail }
edxml-attachment-zip-too-many-entries = attachment { $name }: the ZIP archive is damaged: { $count } entries (more than { $max })
edxml-attachment-zip-entry-damaged = attachment { $name }: the ZIP archive is damaged: entry { $index }: { $detail }
edxml-attachment-unreadable = attachment { $name }: { $problem }
edxml-unknown-element = unknown element { $element } in { $parent } was kept but not interpreted
edxml-unexpected-children = { $element } should hold text only; its child elements were ignored
edxml-repeated-element = { $element } appears more than once; the first is used
edxml-bad-number = { $element } is '{ $value }', not a number; ignored
edxml-bad-boolean = { $element } is '{ $value }', not true or false; ignored
edxml-bad-date = { $element } is '{ $value }', not a date (yyyy/MM/dd or dd/MM/yyyy); ignored
edxml-bad-timestamp = { $element } is '{ $value }', not a date and time (yyyy/MM/dd HH:mm:ss); ignored
edxml-agency-empty-kept = agency code is empty; kept as written
edxml-agency-too-long-kept = agency code '{ $code }' is longer than 35 characters; kept as written
edxml-agency-bad-char-kept = agency code '{ $code }' has character '{ $character }' (only 0-9, A-Z and '.' are allowed); kept as written
edxml-unknown-priority = Priority '{ $value }' is not one of 0–4
edxml-business-spelling = 'Business' read as the standard's 'Bussiness'
edxml-unknown-business-type = BussinessDocType '{ $value }' is not one of 0–3
edxml-unknown-status-code = StatusCode '{ $value }' is not a known code (01–06, 13, 15, 16)
edxml-no-response-for = the status package has no ResponseFor: it cannot be routed
edxml-no-document-id = ResponseFor has no DocumentId
