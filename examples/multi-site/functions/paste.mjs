// A tiny webhook: reads the request body from stdin and answers with its length.
let body = "";
process.stdin.on("data", (d) => (body += d)).on("end", () => console.log(JSON.stringify({ bytes: body.length })));
