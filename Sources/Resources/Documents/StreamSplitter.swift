/// Cuts a YAML stream into runs of whole documents so that they can be parsed in parallel.
///
/// libyaml ends whatever it is scanning at a `---` that starts a line and is followed by a blank
/// or the end of a line: inside flow collections and quoted scalars that is an error, block
/// scalars cannot have content in column 0. So cutting the text just before such lines gives
/// chunks that parse exactly as they would inside the whole stream. Streams with directives
/// (`%` in column 0) or line breaks other than `\n` are left whole, since line numbers are
/// counted here by `\n` only.
enum StreamSplitter {
    struct Chunk: Sendable {
        var text: String
        /// Lines before the chunk in the whole text.
        var lineOffset: Int
    }

    /// At most `count` chunks of about the same size; one chunk when the text cannot be cut.
    static func chunks(_ text: String, count: Int) -> [Chunk] {
        guard count > 1 else { return [Chunk(text: text, lineOffset: 0)] }
        var cuts: [(offset: Int, line: Int)] = []
        var unsafe = false
        var copy = text
        copy.withUTF8 { bytes in
            let target = bytes.count / count
            var next = target
            var line = 0
            var atLineStart = true
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                if atLineStart {
                    if byte == UInt8(ascii: "%") {
                        unsafe = true
                        return
                    }
                    if i >= next, byte == UInt8(ascii: "-"), isDocumentStart(bytes, at: i) {
                        cuts.append((i, line))
                        next = i + target
                    }
                }
                switch byte {
                case UInt8(ascii: "\n"):
                    line += 1
                    atLineStart = true
                case UInt8(ascii: "\r"):
                    unsafe = true
                    return
                case 0xC2 where i + 1 < bytes.count && bytes[i + 1] == 0x85:
                    unsafe = true
                    return
                case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                    unsafe = true
                    return
                default:
                    atLineStart = false
                }
                i += 1
            }
        }
        if unsafe || cuts.isEmpty { return [Chunk(text: text, lineOffset: 0)] }
        var chunks: [Chunk] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var startLine = 0
        for cut in cuts {
            let end = utf8.index(utf8.startIndex, offsetBy: cut.offset)
            chunks.append(Chunk(text: String(text[start..<end]), lineOffset: startLine))
            start = end
            startLine = cut.line
        }
        chunks.append(Chunk(text: String(text[start...]), lineOffset: startLine))
        return chunks
    }

    /// `---` followed by a space, a tab, a line break or the end.
    private static func isDocumentStart(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "-"), bytes[i + 2] == UInt8(ascii: "-") else {
            return false
        }
        guard i + 3 < bytes.count else { return true }
        let after = bytes[i + 3]
        return after == UInt8(ascii: " ") || after == UInt8(ascii: "\t") || after == UInt8(ascii: "\n")
    }
}
