/**
 * The page web mode serves when the renderer has not been built. It obeys the
 * renderer's CSP (no inline script or style), so it is plain HTML.
 */
export const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Graphistry Admin console: renderer not built</title>
</head>
<body>
<h1>The console's renderer is not built</h1>
<p>Web mode serves the built React renderer from <code>out/renderer/</code>, and it is not there yet.</p>
<p>Stop this console and start it again with <code>npm start</code>: it builds the renderer first when it is missing.</p>
<p>The bridge at <code>POST /bridge/&lt;method&gt;</code> is already answering.</p>
</body>
</html>
`;
