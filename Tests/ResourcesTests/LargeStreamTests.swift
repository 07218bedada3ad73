import Resources
import Testing

/// Streams large enough to be cut into chunks and parsed in parallel.
@Suite("Decoding large YAML streams")
struct LargeStreamTests {
    /// A stream of `count` documents and the line of each document's `metadata.name` value.
    static func stream(count: Int, brokenDocument: Int? = nil) -> (text: String, nameLines: [Int]) {
        var text = "# a stream\n"
        var line = 2
        var nameLines: [Int] = []
        for index in 0..<count {
            text += "---\n"
            line += 1
            let body = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: config-\(index)
                  labels: {app: web, index: "\(index)"}
                data:
                  script: |
                    echo start
                    ---
                    echo \(index)
                  list:
                  - a
                  - [1, 2, {b: c}]

                """
            nameLines.append(line + 3)
            text += body
            line += body.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            if index == brokenDocument {
                text += "kind: Duplicate\n"
                line += 1
            }
        }
        return (text, nameLines)
    }

    @Test("a large stream decodes in order with positions counted from the start")
    func largeStream() throws {
        let (text, nameLines) = Self.stream(count: 400)
        #expect(text.utf8.count > 64 * 1024)
        let documents = try DocumentDecoder.decode(text, file: "big.yaml")
        #expect(documents.count == 400)
        #expect(documents.map(\.index) == Array(0..<400))
        for (index, document) in documents.enumerated() {
            #expect(document.value["metadata"]?["name"] == .string("config-\(index)"))
            #expect(document.value["data"]?["script"]?.stringValue == "echo start\n---\necho \(index)\n")
            #expect(document.sourceMap.location(of: "metadata.name")
                == SourceLocation(file: "big.yaml", line: nameLines[index], column: 9))
        }
    }

    @Test("an error late in a large stream has its line in the whole stream")
    func lateError() throws {
        let (text, nameLines) = Self.stream(count: 400, brokenDocument: 350)
        let error = try #require(throws: DecodeError.self) { try DocumentDecoder.decode(text, file: "big.yaml") }
        #expect(error.message == "duplicate key \"kind\"")
        #expect(error.location == SourceLocation(file: "big.yaml", line: nameLines[350] + 10, column: 1))
    }
}
