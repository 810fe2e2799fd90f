//! Puts the children of WordprocessingML property elements (`w:pPr`, `w:rPr`, `w:sectPr`,
//! `w:style`, `w:settings`, table and cell properties) in the order the OOXML schema requires,
//! and drops an attribute the schema does not declare: docx-rs writes some of them out of order,
//! which a schema validator (and some Word versions) reject. Nothing else changes: every element,
//! attribute and text is written back byte for byte.

use quick_xml::Reader;
use quick_xml::events::Event;

/// The schema's sequence of child elements, for each element whose children are reordered.
fn order_of(name: &[u8]) -> Option<&'static [&'static str]> {
    Some(match name {
        b"w:pPr" => &[
            "w:pStyle",
            "w:keepNext",
            "w:keepLines",
            "w:pageBreakBefore",
            "w:framePr",
            "w:widowControl",
            "w:numPr",
            "w:suppressLineNumbers",
            "w:pBdr",
            "w:shd",
            "w:tabs",
            "w:suppressAutoHyphens",
            "w:kinsoku",
            "w:wordWrap",
            "w:overflowPunct",
            "w:topLinePunct",
            "w:autoSpaceDE",
            "w:autoSpaceDN",
            "w:bidi",
            "w:adjustRightInd",
            "w:snapToGrid",
            "w:spacing",
            "w:ind",
            "w:contextualSpacing",
            "w:mirrorIndents",
            "w:suppressOverlap",
            "w:jc",
            "w:textDirection",
            "w:textAlignment",
            "w:textboxTightWrap",
            "w:outlineLvl",
            "w:divId",
            "w:cnfStyle",
            "w:rPr",
            "w:sectPr",
            "w:pPrChange",
        ],
        b"w:rPr" => &[
            "w:ins",
            "w:del",
            "w:moveFrom",
            "w:moveTo",
            "w:rStyle",
            "w:rFonts",
            "w:b",
            "w:bCs",
            "w:i",
            "w:iCs",
            "w:caps",
            "w:smallCaps",
            "w:strike",
            "w:dstrike",
            "w:outline",
            "w:shadow",
            "w:emboss",
            "w:imprint",
            "w:noProof",
            "w:snapToGrid",
            "w:vanish",
            "w:webHidden",
            "w:color",
            "w:spacing",
            "w:w",
            "w:kern",
            "w:position",
            "w:sz",
            "w:szCs",
            "w:highlight",
            "w:u",
            "w:effect",
            "w:bdr",
            "w:shd",
            "w:fitText",
            "w:vertAlign",
            "w:rtl",
            "w:cs",
            "w:em",
            "w:lang",
            "w:eastAsianLayout",
            "w:specVanish",
            "w:oMath",
            "w:rPrChange",
        ],
        b"w:sectPr" => &[
            "w:headerReference",
            "w:footerReference",
            "w:footnotePr",
            "w:endnotePr",
            "w:type",
            "w:pgSz",
            "w:pgMar",
            "w:paperSrc",
            "w:pgBorders",
            "w:lnNumType",
            "w:pgNumType",
            "w:cols",
            "w:formProt",
            "w:vAlign",
            "w:noEndnote",
            "w:titlePg",
            "w:textDirection",
            "w:bidi",
            "w:rtlGutter",
            "w:docGrid",
            "w:printerSettings",
            "w:sectPrChange",
        ],
        b"w:style" => &[
            "w:name",
            "w:aliases",
            "w:basedOn",
            "w:next",
            "w:link",
            "w:autoRedefine",
            "w:hidden",
            "w:uiPriority",
            "w:semiHidden",
            "w:unhideWhenUsed",
            "w:qFormat",
            "w:locked",
            "w:personal",
            "w:personalCompose",
            "w:personalReply",
            "w:rsid",
            "w:pPr",
            "w:rPr",
            "w:tblPr",
            "w:trPr",
            "w:tcPr",
            "w:tblStylePr",
        ],
        b"w:tblPr" => &[
            "w:tblStyle",
            "w:tblpPr",
            "w:tblOverlap",
            "w:bidiVisual",
            "w:tblStyleRowBandSize",
            "w:tblStyleColBandSize",
            "w:tblW",
            "w:jc",
            "w:tblCellSpacing",
            "w:tblInd",
            "w:tblBorders",
            "w:shd",
            "w:tblLayout",
            "w:tblCellMar",
            "w:tblLook",
            "w:tblCaption",
            "w:tblDescription",
            "w:tblPrChange",
        ],
        b"w:tcPr" => &[
            "w:cnfStyle",
            "w:tcW",
            "w:gridSpan",
            "w:hMerge",
            "w:vMerge",
            "w:tcBorders",
            "w:shd",
            "w:noWrap",
            "w:tcMar",
            "w:textDirection",
            "w:tcFitText",
            "w:vAlign",
            "w:hideMark",
            "w:headers",
            "w:cellIns",
            "w:cellDel",
            "w:cellMerge",
            "w:tcPrChange",
        ],
        // The part of the settings' sequence a generated document can hold.
        b"w:settings" => &[
            "w:writeProtection",
            "w:view",
            "w:zoom",
            "w:removePersonalInformation",
            "w:removeDateAndTime",
            "w:embedTrueTypeFonts",
            "w:embedSystemFonts",
            "w:saveSubsetFonts",
            "w:mirrorMargins",
            "w:evenAndOddHeaders",
            "w:proofState",
            "w:documentProtection",
            "w:defaultTabStop",
            "w:autoHyphenation",
            "w:characterSpacingControl",
            "w:updateFields",
            "w:footnotePr",
            "w:endnotePr",
            "w:compat",
            "w:docVars",
            "w:rsids",
            "m:mathPr",
            "w:themeFontLang",
            "w:clrSchemeMapping",
            "w:decimalSymbol",
            "w:listSeparator",
        ],
        _ => return None,
    })
}

/// One piece of the document: an element with its children, or anything else as written.
enum Node {
    Element { start: Vec<u8>, name: Vec<u8>, children: Vec<Node>, empty: bool },
    Raw(Vec<u8>),
}

impl Node {
    fn name(&self) -> Option<&[u8]> {
        match self {
            Node::Element { name, .. } => Some(name),
            Node::Raw(_) => None,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Node::Raw(bytes) => out.extend_from_slice(bytes),
            Node::Element { start, name, children, empty } => {
                out.push(b'<');
                out.extend_from_slice(start);
                if *empty {
                    out.extend_from_slice(b"/>");
                    return;
                }
                out.push(b'>');
                for child in children {
                    child.write(out);
                }
                out.extend_from_slice(b"</");
                out.extend_from_slice(name);
                out.push(b'>');
            }
        }
    }
}

/// The start tag's content with the attributes the schema does not declare removed: `w:type` on
/// `w:gridCol` (docx-rs writes it; a grid column has a width only).
fn cleaned_start(name: &[u8], raw: &[u8]) -> Vec<u8> {
    if name == b"w:gridCol" {
        let text = String::from_utf8_lossy(raw);
        return text.replace(" w:type=\"dxa\"", "").into_bytes();
    }
    raw.to_vec()
}

/// Sorts the element children of every element with a schema order (stable: elements of the
/// same name keep their order; ones the order does not name go last).
fn reorder(nodes: &mut [Node]) {
    for node in nodes.iter_mut() {
        if let Node::Element { name, children, .. } = node {
            // A style's (and the defaults') paragraph properties hold no run properties: docx-rs
            // writes an empty `w:rPr` there, which the schema refuses.
            if name.as_slice() == b"w:style" || name.as_slice() == b"w:pPrDefault" {
                for child in children.iter_mut() {
                    if let Node::Element { name, children: properties, .. } = child
                        && name.as_slice() == b"w:pPr"
                    {
                        properties.retain(|p| !matches!(p, Node::Element { name, children, .. } if name.as_slice() == b"w:rPr" && children.is_empty()));
                    }
                }
            }
            reorder(children);
            if let Some(order) = order_of(name) {
                let rank = |child: &Node| {
                    child.name().and_then(|n| order.iter().position(|o| o.as_bytes() == n)).unwrap_or(order.len())
                };
                // Only whitespace sits between property elements; it is dropped with the sort.
                children.retain(|c| c.name().is_some());
                children.sort_by_key(rank);
            }
        }
    }
}

/// The part with its property elements in schema order; the part as it was when it is not
/// well-formed XML (nothing is lost).
pub fn schema_order(xml: &[u8]) -> Vec<u8> {
    parse(xml)
        .map(|mut nodes| {
            reorder(&mut nodes);
            let mut out = Vec::with_capacity(xml.len());
            for node in &nodes {
                node.write(&mut out);
            }
            out
        })
        .unwrap_or_else(|| xml.to_vec())
}

/// An element's qualified name: its start tag's content up to the first whitespace.
fn element_name(raw: &[u8]) -> Vec<u8> {
    raw.iter().take_while(|b| !b.is_ascii_whitespace()).copied().collect()
}

fn parse(xml: &[u8]) -> Option<Vec<Node>> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    // Open elements: (start content, name, children so far).
    let mut stack: Vec<(Vec<u8>, Vec<u8>, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    let mut buffer = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buffer).ok()?;
        let node = match event {
            Event::Start(start) => {
                let raw = start.as_bytes();
                let name = element_name(raw);
                stack.push((cleaned_start(&name, raw), name, Vec::new()));
                buffer.clear();
                continue;
            }
            Event::End(_) => {
                let (start, name, children) = stack.pop()?;
                Node::Element { start, name, children, empty: false }
            }
            Event::Empty(start) => {
                let raw = start.as_bytes();
                let name = element_name(raw);
                Node::Element { start: cleaned_start(&name, raw), name, children: Vec::new(), empty: true }
            }
            Event::Text(text) => Node::Raw(text.as_bytes().to_vec()),
            Event::GeneralRef(reference) => Node::Raw(format!("&{};", &*reference).into_bytes()),
            Event::CData(data) => Node::Raw(format!("<![CDATA[{}]]>", &*data).into_bytes()),
            Event::Comment(comment) => Node::Raw(format!("<!--{}-->", &*comment).into_bytes()),
            Event::Decl(declaration) => Node::Raw(format!("<?{}?>", &*declaration).into_bytes()),
            Event::PI(instruction) => Node::Raw(format!("<?{}?>", &*instruction).into_bytes()),
            Event::DocType(doctype) => Node::Raw(format!("<!DOCTYPE {}>", &*doctype).into_bytes()),
            Event::Eof => break,
        };
        match stack.last_mut() {
            Some((_, _, children)) => children.push(node),
            None => top.push(node),
        }
        buffer.clear();
    }
    stack.is_empty().then_some(top)
}

#[cfg(test)]
mod tests {
    use super::schema_order;

    #[test]
    fn property_children_follow_the_schema_and_the_rest_is_kept() {
        let xml = br#"<?xml version="1.0"?><w:p><w:pPr><w:rPr><w:sz w:val="21" /><w:b /></w:rPr><w:jc w:val="center" /><w:pStyle w:val="A" /></w:pPr><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p><w:gridCol w:w="10" w:type="dxa" />"#;
        let out = String::from_utf8(schema_order(xml)).expect("utf-8");
        assert_eq!(
            out,
            r#"<?xml version="1.0"?><w:p><w:pPr><w:pStyle w:val="A" /><w:jc w:val="center" /><w:rPr><w:b /><w:sz w:val="21" /></w:rPr></w:pPr><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p><w:gridCol w:w="10" />"#
        );
        assert_eq!(schema_order(b"<a><b></a>"), b"<a><b></a>", "not well-formed: kept as it was");
        let style =
            schema_order(br#"<w:style><w:pPr><w:rPr /><w:jc w:val="center" /></w:pPr><w:name w:val="x" /></w:style>"#);
        assert_eq!(
            String::from_utf8_lossy(&style),
            r#"<w:style><w:name w:val="x" /><w:pPr><w:jc w:val="center" /></w:pPr></w:style>"#
        );
    }
}
