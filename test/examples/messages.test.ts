// Every example in examples/messages/ runs, exits 0 and prints what its seed example shows.
import { checkExamples } from './check.ts';

checkExamples({
  'messages/queue_request_handle.ts': [/^\d+ \+ \d+ = \d+$/m],
  'messages/queue_blocking.ts': [/put timed out: true/, /^a b$/m, /getNowait on an empty queue: true/],
  'messages/joinable_producer_consumer.ts': [/吃了 egon的包子4/, /所有包子都吃完了/],
  'messages/pipe_whisper.ts': [/管道2传给管道1的数据 肥水不流外人天/, /管道1传给管道2的数据 跟你说句悄悄话/],
  'messages/pipe_parent_child.ts': [/hello world/, /hi son/, /EOFError/],
  'messages/pipe_one_way.ts': [/one way only/],
  'messages/pipeline.ts': [/sum of squares: 338350/],
});
