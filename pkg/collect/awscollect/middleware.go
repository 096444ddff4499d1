package awscollect

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// callCounter counts, per operation ("iam:GetAccountAuthorizationDetails"), the HTTP requests
// sent (retries included) and the operations invoked (retries not included).
type callCounter struct {
	mu          sync.Mutex
	n           map[string]int
	invocations map[string]int
}

func (c *callCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
}

func (c *callCounter) invoked(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.invocations == nil {
		c.invocations = map[string]int{}
	}
	c.invocations[op]++
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.n) == 0 {
		return nil
	}
	return maps.Clone(c.n)
}

func (c *callCounter) invocationsSnapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.invocations)
}

// opName is "<service>:<Operation>" for the operation running in ctx, e.g. "eks:ListClusters".
func opName(ctx context.Context) string {
	return strings.ToLower(awsmiddleware.GetServiceID(ctx)) + ":" + awsmiddleware.GetOperationName(ctx)
}

// instrument returns the API option added to every client: a timeout around each operation
// (retries included) and a counter of the requests actually sent. The counter sits at the end of
// the finalize step, after the retry middleware, so each attempt counts: a throttled call that
// succeeds on its third attempt counts 3, which is what the account's API rate limits see.
func instrument(timeout time.Duration, calls *callCounter) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("IRSAAuditCallTimeout",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				ctx, cancel := context.WithTimeout(ctx, timeout)
				defer cancel()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		if err != nil {
			return err
		}
		// After the service metadata middleware, which some clients add in this step too.
		err = stack.Initialize.Add(middleware.InitializeMiddlewareFunc("IRSAAuditInvocationCounter",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				calls.invoked(opName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
		if err != nil {
			return err
		}
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("IRSAAuditCallCounter",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				calls.add(opName(ctx))
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
