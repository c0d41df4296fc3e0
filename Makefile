# make run    install, build, and start the sample app (embedded local DynamoDB unless DYNAMODB_ENDPOINT is set)
# make test   install and run every test (starts a local DynamoDB unless DYNAMODB_ENDPOINT is set)
.PHONY: run test configure check build clean local-dynamodb

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

# The local DynamoDB endpoint is moto's server; installed only when no other endpoint is named.
local-dynamodb:
	@if [ -z "$$DYNAMODB_ENDPOINT" ] && ! python3 -c 'import moto' 2>/dev/null; then \
	  echo 'Installing moto for the local DynamoDB endpoint'; \
	  python3 -m pip install --user 'moto[server]'; \
	fi

build: node_modules
	npm run build

run: build local-dynamodb
	npm run build:sample
	node dist-sample/sample/main.js

test: node_modules local-dynamodb
	npm test

# Creates the sample's tables on $DYNAMODB_ENDPOINT, or on AWS when it is unset: the events table ($EVENTS_TABLE,
# default "events"), and its projections' views and lease tables ($VIEWS_TABLE, default "account-views";
# $LEASE_TABLE, default "account-leases"), the defaults of sample/event-store.config.ts.
configure: build
	node dist/cli/main.js create-tables --table "$${EVENTS_TABLE:-events}" \
	  --views-table "$${VIEWS_TABLE:-account-views}" --lease-table "$${LEASE_TABLE:-account-leases}"

check: node_modules
	npm run check

clean:
	rm -rf dist dist-sample node_modules
