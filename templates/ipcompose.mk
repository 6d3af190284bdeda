# Makefile include for projects brought up through ipcompose.
#   include path/to/ipcompose.mk
# Variables: IPCOMPOSE (the command), COMPOSE_FLAGS (global compose flags,
# e.g. -f compose.yaml -f prod.yaml), UP_FLAGS (default -d).

IPCOMPOSE ?= ipcompose
COMPOSE_FLAGS ?=
UP_FLAGS ?= -d

.PHONY: up down plan plan-json

up:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) up $(UP_FLAGS)

down:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) down

plan:
	$(IPCOMPOSE) $(COMPOSE_FLAGS) plan

plan-json:
	@$(IPCOMPOSE) $(COMPOSE_FLAGS) plan --json
