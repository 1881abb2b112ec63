# Sourced by test.sh and conformance.sh: installs the npm dependencies (npm ci, into the ignored node_modules)
# when they are missing or older than package-lock.json, generates src/gen from protos/, compiles to dist/.
# Returns non-zero with a message when it cannot.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/tmp/restoregrpc-ts-npm.log 2>&1 || { cat /tmp/restoregrpc-ts-npm.log; echo "typescript: npm ci failed"; return 1; }
fi
npm run --silent generate || { echo "typescript: code generation from protos/ failed"; return 1; }
rm -rf dist
npx tsc -p tsconfig.json || { echo "typescript: tsc failed"; return 1; }
