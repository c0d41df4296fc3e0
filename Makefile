.PHONY: install test check build clean

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

install: node_modules

## Runs every test against a local DynamoDB (moto, started and stopped by the tests) or $DYNAMODB_ENDPOINT.
test: node_modules
	npm test

## Type-check and lint.
check: node_modules
	npm run check

build: node_modules
	npm run build

clean:
	rm -rf dist node_modules
