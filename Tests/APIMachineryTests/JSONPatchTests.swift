import APIMachinery
import Resources
import Testing

@Suite("JSON patch (RFC 6902)")
struct JSONPatchTests {
    /// The examples of RFC 6902 appendix A that succeed: document, patch, result.
    static let appendixA: [(String, String, String)] = [
        // A.1 adding an object member
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
        // A.2 adding an array element
        (#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
        // A.3 removing an object member
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        // A.4 removing an array element
        (#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        // A.5 replacing a value
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        // A.6 moving a value
        (
            #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#
        ),
        // A.7 moving an array element
        (
            #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            #"{"foo":["all","cows","eat","grass"]}"#
        ),
        // A.8 testing a value: success
        (
            #"{"baz":"qux","foo":["a",2,"c"]}"#,
            #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
            #"{"baz":"qux","foo":["a",2,"c"]}"#
        ),
        // A.10 adding a nested member object
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar","child":{"grandchild":{}}}"#),
        // A.11 ignoring unrecognized elements
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar","baz":"qux"}"#),
        // A.14 ~ escape ordering
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
        // A.16 adding an array value
        (#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#),
        // copy, and the whole document
        (#"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/c"}]"#, #"{"a":{"b":1},"c":{"b":1}}"#),
        (#"{"a":1}"#, #"[{"op":"replace","path":"","value":{"b":2}}]"#, #"{"b":2}"#),
        (#"{"a/b":{"c~d":1}}"#, #"[{"op":"replace","path":"/a~1b/c~0d","value":2}]"#, #"{"a/b":{"c~d":2}}"#),
    ]

    @Test("the RFC 6902 examples apply as the RFC says", arguments: appendixA)
    func rfcExamples(document: String, patch: String, result: String) throws {
        #expect(try JSONPatch.apply(try json(patch), to: try json(document)) == (try json(result)))
    }

    /// Operations that do not apply: document, patch, kube-apiserver's message.
    static let failures: [(String, String, String)] = [
        // A.9 testing a value: error
        (#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#, "testing value /baz failed: test failed"),
        // A.12 adding to a nonexistent target
        (
            #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
            #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#
        ),
        // A.15 comparing strings and numbers
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#, "testing value /~01 failed: test failed"),
        (
            #"{"spec":{}}"#, #"[{"op":"remove","path":"/spec/foo/bar"}]"#,
            #"remove operation does not apply: doc is missing path: "/spec/foo/bar": missing value"#
        ),
        (
            #"{"spec":{}}"#, #"[{"op":"remove","path":"/spec/foo"}]"#,
            "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value"
        ),
        (
            #"{"spec":{}}"#, #"[{"op":"replace","path":"/spec/foo","value":1}]"#,
            "replace operation does not apply: doc is missing key: /spec/foo: missing value"
        ),
        (
            #"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":1}]"#,
            "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"
        ),
        (#"{}"#, #"[{"op":"frob","path":"/a"}]"#, "Unexpected kind: frob"),
    ]

    @Test("an operation that does not apply is a 422 worded as kube-apiserver words it", arguments: failures)
    func failure(document: String, patch: String, message: String) throws {
        let error = #expect(throws: APIError.self) { try JSONPatch.apply(try json(patch), to: try json(document)) }
        #expect(error?.code == 422)
        #expect(error?.reason == .invalid)
        #expect(error?.message == message)
    }

    @Test("a failed operation leaves nothing applied")
    func atomic() throws {
        let document = try json(#"{"a":1}"#)
        #expect(throws: APIError.self) {
            try JSONPatch.apply(
                try json(#"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}]"#), to: document)
        }
    }

    @Test("a patch that is not a list of operations is a 400")
    func malformed() throws {
        let error = #expect(throws: APIError.self) { try JSONPatch.apply(try json(#"{"op":"add"}"#), to: [:]) }
        #expect(error?.code == 400)
        #expect(error?.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    }
}
