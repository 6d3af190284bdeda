# Makefile include for projects brought up through ipcompose.
#   include path/to/ipcompose.mk
# Variables:
#   IPCOMPOSE      the command (default: ipcompose)
#   COMPOSE_FLAGS  global compose flags, e.g. -f compose.yaml -f prod.yaml
#   UP_FLAGS       flags for up (default: -d)
#   VERIFY_TARGET  probe target(s) for verify, e.g. http://203.0.113.99/

IPCOMPOSE ?= ipcompose
COMPOSE_FLAGS ?=
UP_FLAGS ?= -d
VERIFY_TARGET ?=

.PHONY: up down plan plan-json verify status

up:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) up $(UP_FLAGS)

down:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) down

plan:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) plan

plan-json:
	@$(IPCOMPOSE) $(COMPOSE_FLAGS) plan --json

verify:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) verify $(foreach t,$(VERIFY_TARGET),--target $(t))

status:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) status
