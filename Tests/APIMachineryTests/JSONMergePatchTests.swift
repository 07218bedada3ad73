import APIMachinery
import Resources
import Testing

@Suite("JSON merge patch (RFC 7386)")
struct JSONMergePatchTests {
    /// The examples of RFC 7386 appendix A: target, patch, result.
    static let appendixA: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("the RFC 7386 examples merge as the RFC says", arguments: appendixA)
    func rfcExamples(target: String, patch: String, result: String) throws {
        #expect(JSONMergePatch.apply(try json(patch), to: try json(target)) == (try json(result)))
    }

    @Test("members keep the target's order and new members are appended")
    func order() throws {
        let merged = JSONMergePatch.apply(try json(#"{"z":1,"a":{"y":2}}"#), to: try json(#"{"a":{"x":1},"m":0,"z":0}"#))
        #expect(merged.jsonString() == #"{"a":{"x":1,"y":2},"m":0,"z":1}"#)
    }
}
